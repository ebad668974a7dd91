# tar -czf / -xzf round trips between busybox tar and GNU tar (RealProgramTests): busybox tar feeds gzip through a pipe
# with sendfile, where short writes used to lose the archive.
set -e
mkdir -p src/sub
seq 1 30000 > src/numbers.txt
head -c 200000 /bin/busybox > src/sub/binary
printf 'small\n' > src/sub/small.txt
busybox tar -czf bb.tgz src
mkdir gnu-out && tar -xzf bb.tgz -C gnu-out
tar -czf gnu.tgz src
mkdir bb-out && busybox tar -xzf gnu.tgz -C bb-out
for d in gnu-out bb-out; do
  (cd $d && find . -type f | sort | while read -r f; do echo "$d $f $(md5sum < "$f")"; done)
done
busybox tar -tzf bb.tgz | sort
tar -tzf gnu.tgz | sort
cmp src/sub/binary bb-out/src/sub/binary && echo same
