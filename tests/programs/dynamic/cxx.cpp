// C++ runtime under the dynamic loader: libstdc++ iostream, std::string, std::vector, std::map,
// std::sort, exceptions thrown and caught across frames (the unwinder reads .eh_frame of every
// loaded library), virtual calls, static constructors. Integers only.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

struct Shape {
    virtual ~Shape() = default;
    virtual long area() const = 0;
    virtual std::string name() const = 0;
};
struct Rect : Shape {
    long w, h;
    Rect(long w_, long h_) : w(w_), h(h_) {}
    long area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};
struct Square : Rect {
    explicit Square(long s) : Rect(s, s) {}
    std::string name() const override { return "square"; }
};

struct Counter {
    static int live;
    Counter() { ++live; }
    ~Counter() { --live; }
};
int Counter::live = 0;

static std::string global_greeting = std::string("static") + " constructor";

class ParseError : public std::runtime_error {
public:
    explicit ParseError(const std::string& what, int pos_) : std::runtime_error(what), pos(pos_) {}
    int pos;
};

static long parse_number(const std::string& s, int depth) {
    Counter guard;
    if (depth > 0) return parse_number(s, depth - 1);
    long v = 0;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] < '0' || s[i] > '9') throw ParseError("bad digit '" + std::string(1, s[i]) + "'", (int)i);
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int main() {
    std::cout << "hello from " << global_greeting << std::endl;

    std::vector<long> v;
    unsigned long x = 12345;
    for (int i = 0; i < 1000; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        v.push_back((long)(x >> 40) - (1L << 23));
    }
    std::sort(v.begin(), v.end());
    std::cout << "sorted: " << std::is_sorted(v.begin(), v.end()) << " min " << v.front() << " max " << v.back() << '\n';
    long sum = 0;
    for (long e : v) sum += e;
    std::cout << "sum " << sum << '\n';

    std::vector<std::string> words = {"pear", "apple", "fig", "banana", "cherry", "date"};
    std::sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    std::string joined;
    for (auto& w : words) joined += w + ",";
    std::cout << joined << '\n';

    std::map<std::string, int> counts;
    std::istringstream in("the quick brown fox jumps over the lazy dog the end");
    std::string word;
    while (in >> word) counts[word]++;
    for (auto& [k, n] : counts) std::cout << k << '=' << n << ' ';
    std::cout << '\n';

    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Rect>(3, 4));
    shapes.push_back(std::make_unique<Square>(5));
    for (auto& s : shapes) std::cout << s->name() << ' ' << s->area() << '\n';

    int caught = 0;
    for (const char* text : {"12345", "12a45", "", "9x"}) {
        try {
            long n = parse_number(text, 20);
            std::cout << "parsed " << n << '\n';
        } catch (const ParseError& e) {
            caught++;
            std::cout << "ParseError: " << e.what() << " at " << e.pos << " live=" << Counter::live << '\n';
        }
    }
    try {
        std::vector<int> small(3);
        (void)small.at(10);
    } catch (const std::out_of_range&) {
        caught++;
        std::cout << "out_of_range caught\n";
    }
    try {
        throw 42;
    } catch (int e) {
        caught++;
        std::cout << "int " << e << '\n';
    }
    std::ostringstream os;
    os << std::hex << 255 << ' ' << std::dec << -17;
    std::cout << os.str() << '\n';
    std::cout << "caught " << caught << '\n';
    return caught == 4 ? 0 : 1;
}
