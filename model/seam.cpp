// seam: the model policy's own building blocks, checked to be checkable.
//  * word_buffer: a record written as payload bytes then an in-band header
//    word (release), read as header (acquire) then bytes: the pattern of the
//    byte rings. Weakening either side must be a DATA RACE on the bytes.
//  * futex: a one-shot event (store flag, wake) against (wait while unset):
//    removing the wake must be reported as DEADLOCK (a lost wakeup).
#include "common.hpp"

using namespace nexus::model;

struct record_orders {
  static constexpr std::memory_order commit = std::memory_order_release;       // pairs with see_commit
  static constexpr std::memory_order see_commit = std::memory_order_acquire;   // pairs with commit
};
struct see_commit_relaxed : record_orders { static constexpr auto see_commit = std::memory_order_relaxed; };

template <class O>
struct record : scenario<record<O>, 2> {
  relacy_sync::word_buffer<std::uint64_t>* buf = nullptr;
  void before() { buf = this->template own<relacy_sync::word_buffer<std::uint64_t>>(32); }
  void thread(unsigned id) {
    if (id == 0) {
      const char msg[5] = {'h', 'e', 'l', 'l', 'o'};
      buf->copy_in(8, msg, 5);
      buf->store_word(0, 5, O::commit);
    } else {
      for (int k = 0; k < 2; ++k) {
        std::uint64_t len = buf->load_word(0, O::see_commit);
        if (len == 0) {
          relacy_sync::spin_pause();
          continue;
        }
        char got[5] = {};
        buf->copy_out(8, got, 5);
        relacy_sync::verify(len == 5 && got[0] == 'h' && got[4] == 'o', "torn record");
        break;
      }
    }
  }
};

template <bool Wake>
struct event : scenario<event<Wake>, 2> {
  relacy_sync::futex_word* word = nullptr;
  void before() { word = this->template own<relacy_sync::futex_word>(0); }
  void thread(unsigned id) {
    if (id == 0) {
      word->store(1, std::memory_order_release);  // pairs with the acquire load below
      if (Wake) relacy_sync::futex_wake_one(*word);
    } else {
      while (word->load(std::memory_order_acquire) == 0)  // pairs with the release store
        relacy_sync::futex_wait(*word, 0);
    }
  }
};

int main(int argc, char** argv) {
  return run(argc, argv, "seam", {rl::sched_full},
             {
                 NEXUS_VARIANT("word_buffer", pass, record<record_orders>),
                 NEXUS_VARIANT("word_buffer_commit_relaxed", fail, record<commit_relaxed<record_orders>>),
                 NEXUS_VARIANT("word_buffer_see_commit_relaxed", fail, record<see_commit_relaxed>),
                 NEXUS_VARIANT("futex", pass, event<true>),
                 NEXUS_VARIANT("futex_no_wake", fail, event<false>),
             });
}
