// Whether this test binary was built with a sanitizer (GCC's or clang's ASan or TSan): tests
// that compute a lot do fewer rounds there, since those -O0 builds look for memory and thread
// errors, which the first rounds reach as well as the last.
#pragma once

namespace lmp::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace lmp::test
