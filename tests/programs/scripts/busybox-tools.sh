# Shell features and tools that need fork, exec, pipes and files (run by RealProgramTests).
set -e
mkdir -p d/sub
for i in 1 2 3 4 5; do echo "line $i of file $i" > d/f$i.txt; done
echo nested > d/sub/n.txt
cat <<END > d/here.txt
alpha beta
gamma delta
END
echo "$(cat d/here.txt | wc -l) lines"
( cd d && ls | sort )
find d -name '*.txt' | sort
sed -e 's/line/LINE/' d/f1.txt
awk '{ s += length($0) } END { print "chars", s }' d/*.txt
printf '3\n1\n2\n' | sort -n | xargs echo sorted:
tar cf t.tar d && tar tf t.tar | sort | head -3
gzip -c d/f2.txt > f2.gz && gzip -dc f2.gz
grep -c line d/*.txt | sort
echo done
