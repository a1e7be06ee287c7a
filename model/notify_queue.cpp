// notify_queue: the conflating event queue's orders.
//  * same_token (2 threads, context bound 4; H2): one token, queue capacity 1;
//    the notifier notifies three times while the poller polls three times.
//    A notify must never overflow: a notifier that sees the flag cleared must
//    also see the slot pop freed (admit's acquire, clear's release).
//  * data (2 threads, context bound 4; F6): the notifier writes data=1, notifies,
//    writes data=2, notifies; the poller reads data after each poll that
//    returns the token; after() drains. The last value read must be 2: a
//    notify conflated into an event must publish its data to that event's
//    reader (admit's release, clear's acquire).
//  * tokens (3 threads, context bound 2; verify-toolchain.md section 3):
//    notifier 0 notifies token 0 twice, notifier 1 token 1 once, the poller
//    polls; queue capacity 2. No notify may overflow: per-token flags do not
//    order *other* notifiers' view of the queue tail; the queue's acquire
//    tail load and acq_rel CAS must.
// (Context bound, not full search, since the poller's pop waits for a
// notifier that has claimed a queue slot and is writing it: F11. Every twin
// below is caught within bound 4.)
#include "notify_common.hpp"

using namespace nexus::model;
using namespace nexus::model::notify_model;

template <class O, class QO = mpsc_orders>
struct same_token : scenario<same_token<O, QO>, 2> {
  queue_endpoints<O, QO>* q = nullptr;
  events* ev = nullptr;
  void before() {
    q = this->template own_endpoints<queue_endpoints<O, QO>>(nexus::notify::event_queue<relacy_sync, O, QO>(1));
    ev = this->template own<events>(events::with_capacity(1));
  }
  void thread(unsigned id) {
    if (id == 0) {
      for (int k = 0; k < 3; ++k) must_not_fail(q->tx.notify(token(0)));
    } else {
      for (int k = 0; k < 3; ++k) q->rx.poll(*ev);  // (a batch may hold t twice: see event_queue.hpp)
    }
  }
  void check() {
    q->rx.poll(*ev);
  }
};

template <class O, class QO = mpsc_orders>
struct data : scenario<data<O, QO>, 2> {
  queue_endpoints<O, QO>* q = nullptr;
  events* ev = nullptr;
  relacy_sync::atomic<int>* value = nullptr;  // the user's data, relaxed: only the notify orders order it
  int last = 0;                               // poller-only: the value read after the latest event

  void before() {
    q = this->template own_endpoints<queue_endpoints<O, QO>>(nexus::notify::event_queue<relacy_sync, O, QO>(1));
    ev = this->template own<events>(events::with_capacity(1));
    value = this->template own<relacy_sync::atomic<int>>(0);
  }
  void read_if_event() {
    if (!ev->empty()) last = value->load(relaxed);  // relaxed: ordered by the poll's clear (F6)
  }
  void thread(unsigned id) {
    if (id == 0) {
      value->store(1, relaxed);  // relaxed: published by notify's admit (F6)
      must_not_fail(q->tx.notify(token(0)));
      value->store(2, relaxed);  // relaxed: as above
      must_not_fail(q->tx.notify(token(0)));
    } else {
      for (int k = 0; k < 2; ++k) {
        q->rx.poll(*ev);
        read_if_event();
      }
    }
  }
  void check() {
    q->rx.poll(*ev);
    read_if_event();
    relacy_sync::verify(last == 2, "lost update: the last event's reader saw stale data and no event followed");
  }
};

template <class O, class QO = mpsc_orders>
struct tokens : scenario<tokens<O, QO>, 3> {
  queue_endpoints<O, QO>* q = nullptr;
  nexus::notify::notifier<relacy_sync, O, QO>* second = nullptr;
  events* ev = nullptr;
  void before() {
    q = this->template own_endpoints<queue_endpoints<O, QO>>(nexus::notify::event_queue<relacy_sync, O, QO>(2));
    second = this->template own<nexus::notify::notifier<relacy_sync, O, QO>>(q->tx.clone());
    ev = this->template own<events>(events::with_capacity(2));
  }
  void thread(unsigned id) {
    if (id == 0) {
      must_not_fail(q->tx.notify(token(0)));
      must_not_fail(q->tx.notify(token(0)));
    } else if (id == 1) {
      must_not_fail(second->notify(token(1)));
    } else {
      for (int k = 0; k < 3; ++k) q->rx.poll(*ev);
    }
  }
  void check() {
    q->rx.poll(*ev);
  }
};

constexpr search bound2{rl::sched_bound, 2};

int main(int argc, char** argv) {
  return run(argc, argv, "notify_queue", {rl::sched_bound, 4},
             {
                 NEXUS_VARIANT("same_token", pass, same_token<notify_orders>),
                 NEXUS_VARIANT("data", pass, data<notify_orders>),
                 NEXUS_VARIANT_SEARCH("tokens", pass, bound2, tokens<notify_orders>),
                 NEXUS_VARIANT("same_token_admit_release", fail, same_token<admit_release<notify_orders>>),
                 NEXUS_VARIANT("same_token_admit_relaxed", fail, same_token<admit_relaxed<notify_orders>>),
                 NEXUS_VARIANT("same_token_clear_acquire", fail, same_token<clear_acquire<notify_orders>>),
                 NEXUS_VARIANT("same_token_clear_relaxed", fail, same_token<clear_relaxed<notify_orders>>),
                 NEXUS_VARIANT("data_admit_acquire", fail, data<admit_acquire<notify_orders>>),
                 NEXUS_VARIANT("data_clear_release", fail, data<clear_release<notify_orders>>),
                 NEXUS_VARIANT_SEARCH("tokens_claim_load_relaxed", fail, bound2,
                                      tokens<notify_orders, claim_load_relaxed<mpsc_orders>>),
                 NEXUS_VARIANT_SEARCH("tokens_claim_relaxed", fail, bound2, tokens<notify_orders, claim_relaxed<mpsc_orders>>),
             });
}
