// C++ with std::thread, std::mutex, std::condition_variable, std::atomic, futures, exceptions across
// threads, iostreams and floating-point formatting. Output is deterministic.
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

int main() {
    std::mutex m;
    std::map<int, long> results;
    std::atomic<long> total{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; t++)
        workers.emplace_back([&, t] {
            long sum = 0;
            for (int i = 0; i < 50000; i++) sum += (i * (t + 1)) % 97;
            total += sum;
            std::lock_guard<std::mutex> lock(m);
            results[t] = sum;
        });
    for (auto &w : workers) w.join();
    for (auto &[k, v] : results) std::cout << "worker " << k << " sum " << v << "\n";
    std::cout << "total " << total.load() << "\n";

    std::condition_variable cv;
    bool ready = false;
    std::thread waiter([&] {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return ready; });
        std::cout << "waiter woke\n";
    });
    {
        std::lock_guard<std::mutex> lock(m);
        ready = true;
    }
    cv.notify_one();
    waiter.join();

    auto f = std::async(std::launch::async, [] { return std::sqrt(2.0) * 1000; });
    std::cout << std::fixed << std::setprecision(6) << "async " << f.get() << "\n";

    auto failing = std::async(std::launch::async, []() -> int { throw std::runtime_error("thrown in a thread"); });
    try { failing.get(); } catch (const std::exception &e) { std::cout << "caught: " << e.what() << "\n"; }

    std::ostringstream os;
    os << std::scientific << std::setprecision(10) << 1.0 / 3 << " " << std::hex << 255;
    std::cout << os.str() << "\n";
    return 0;
}
