// numpy's legacy permutation, reproduced: the same order as numpy for the same seed.

#include "helmholtz/core/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace helmholtz::core {
namespace {

TEST(NumpyLegacyPermutation, IsAPermutationAndDependsOnTheSeed) {
  EXPECT_TRUE(numpy_legacy_permutation(2337, 0).empty());
  EXPECT_EQ(numpy_legacy_permutation(2337, 1), std::vector<std::size_t>{0});
  auto p = numpy_legacy_permutation(2337, 500);
  EXPECT_NE(p, numpy_legacy_permutation(2338, 500));
  EXPECT_EQ(p, numpy_legacy_permutation(2337, 500));
  std::sort(p.begin(), p.end());
  for (std::size_t i = 0; i < p.size(); ++i) ASSERT_EQ(p[i], i);
}

// The order numpy itself gives: np.random.seed(s); np.random.permutation(n).
TEST(NumpyLegacyPermutation, EqualsNumpys) {
  if (!testing::system_python_has("numpy")) {
    GTEST_SKIP() << testing::kSystemPython << " with numpy (Debian python3-numpy) is needed";
  }
  for (const auto& [seed, n] : std::vector<std::pair<std::uint32_t, std::size_t>>{
           {2337, 2}, {2337, 17}, {2337, 1000}, {0, 300}, {4294967295u, 64}}) {
    const auto numpy = testing::run_shell(
        std::string(testing::kSystemPython) +
        " -c 'import numpy as np; np.random.seed(" + std::to_string(seed) +
        "); print(\" \".join(map(str, np.random.permutation(" + std::to_string(n) + "))))'");
    ASSERT_EQ(numpy.exit_code, 0) << numpy.output;
    std::istringstream in(numpy.output);
    std::vector<std::size_t> expected;
    for (std::size_t v = 0; in >> v;) expected.push_back(v);
    EXPECT_EQ(numpy_legacy_permutation(seed, n), expected) << "seed " << seed << ", n " << n;
  }
}

}  // namespace
}  // namespace helmholtz::core
