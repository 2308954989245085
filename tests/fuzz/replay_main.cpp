// Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so the corpus (and every
// crash reproducer kept in it) runs as a regression test in any build: gcc, the sanitizer
// presets, or clang without -fsanitize=fuzzer.
//
//   fuzz_master_reader_replay <file-or-directory>...
//
// Directories are walked recursively; files run in sorted order. A violated invariant aborts
// (the test fails); the file being run is printed first so the failure names its input.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path &path, std::vector<fs::path> &files)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
             it.increment(ec)) {
            if (it->is_regular_file(ec))
                files.push_back(it->path());
        }
    } else if (fs::is_regular_file(path, ec)) {
        files.push_back(path);
    } else {
        std::fprintf(stderr, "replay: no such file or directory: %s\n", path.c_str());
        return false;
    }
    if (ec) {
        std::fprintf(stderr, "replay: cannot read %s: %s\n", path.c_str(), ec.message().c_str());
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <file-or-directory>...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        if (!collect(fs::path(argv[i]), files))
            return 2;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs found\n");
        return 2;
    }

    std::size_t totalBytes = 0;
    for (const fs::path &file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: cannot open %s\n", file.c_str());
            return 2;
        }
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>()};
        std::printf("replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
        std::fflush(stdout);
        // An exact-size heap copy: a read past the end is caught by ASan, as under libFuzzer.
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
        totalBytes += data.size();
    }
    std::printf("replay: %zu inputs, %zu bytes, all passed\n", files.size(), totalBytes);
    return 0;
}
