// nexus::result and the error vocabulary.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nexus/result.hpp"

TEST(Result, HoldsAValueOrANamedError) {
  nexus::result<std::string> ok(std::string("x"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "x");
  nexus::result<std::string> bad(nexus::error::capacity_zero);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error_code(), nexus::error::capacity_zero);
  try {
    (void)bad.value();
    FAIL() << "value() on an error must throw";
  } catch (const nexus::bad_result_access& e) {
    EXPECT_EQ(e.code(), nexus::error::capacity_zero);
    EXPECT_STREQ(e.what(), "capacity must be non-zero");
  }
}

TEST(Result, MovesAMoveOnlyValue) {
  nexus::result<std::unique_ptr<int>> r(std::make_unique<int>(3));
  nexus::result<std::unique_ptr<int>> s(std::move(r));
  EXPECT_EQ(**s, 3);
  auto p = std::move(s).value();
  EXPECT_EQ(*p, 3);
}

TEST(Result, EveryStatusAndErrorHasAName) {
  using nexus::status;
  for (auto s : {status::ok, status::full, status::empty, status::disconnected, status::timeout,
                 status::invalid_token, status::overflow, status::zero_length, status::too_large, status::busy,
                 status::undrained})
    EXPECT_STRNE(nexus::to_string(s), "unknown status");
  for (auto e : {nexus::error::capacity_zero, nexus::error::capacity_too_large, nexus::error::out_of_memory})
    EXPECT_STRNE(nexus::to_string(e), "unknown error");
}

TEST(Result, CheckedPowerOfTwo) {
  using nexus::detail::checked_pow2;
  EXPECT_EQ(checked_pow2(0), 0u);
  EXPECT_EQ(checked_pow2(1), 1u);
  EXPECT_EQ(checked_pow2(5), 8u);
  EXPECT_EQ(checked_pow2(std::uint64_t{1} << 63), std::uint64_t{1} << 63);
  EXPECT_EQ(checked_pow2((std::uint64_t{1} << 63) + 1), 0u);
}
