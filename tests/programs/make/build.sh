# Run by RealProgramTests with the project copied into the working directory: build, no-op rebuild, a header change.
set -e
make
cat report.txt
make
sleep 1
touch ops.h
make
make -n clean
make clean
ls
