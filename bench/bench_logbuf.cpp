// bench_logbuf: the byte rings nexus::logbuf::spsc and mpsc (variable-length
// records, claim / commit; bench/bytes.hpp) against cds::container::
// WeakRingBuffer<void> (the only claim/commit byte ring in Debian, SPSC
// only) and references that are no ring: the bare cross-core handoff (with
// and without consumer zeroing), the memcpy ceiling and the 2-producer
// shared-tail ceiling. Every ring is 1 MiB; messages of 32 B, 4 KiB and
// 64 KiB (scenario suffix _32, _4k, _64k): items_per_second counts
// messages, bytes_per_second payload bytes. What is transferred is checked
// (stamps in every message, the whole payload of every 32 B message and of
// every 64th larger one).
//   lb_stream_<size>    1 producer (cpus()[0]) -> 1 consumer (cpus()[1]), both
//                       copying (memcpy in, memcpy out)
//   lb_stream2_<size>   2 producers (cpus()[0] and a third CPU) -> 1
//                       consumer; registered only when the process may use a
//                       third CPU
//   lb_batch1_<size>, lb_batch2_<size>
//                       1 or 2 producers (cpus()[0] [+ cpus()[1]]), no
//                       concurrent consumer: each batch fills about the
//                       whole ring, drained and checked untimed; plus the
//                       shared-tail ceiling (two threads that only CAS one
//                       tail and copy) on the same CPUs
//   lb_read_batch_32    the lb_stream_32 stream with the consumer taking up
//                       to 32 messages per read_n (spsc_read_n32,
//                       mpsc_read_n32), against the single reads of
//                       nexus spsc (ref spsc_single) in the same run
//   lb_channel_read_batch_32  the same stream through the SPSC byte channel:
//                       try_recv_many of 32 (channel_try_recv_many32) against
//                       try_recv (ref channel_try_recv)
//   lb_op/...           single-thread claim + commit and read + consume of
//                       32 B records (bench/ops.hpp: ticks per operation)
//
//   bench_logbuf [--cpus A,B] [--idle-wait S] [Google Benchmark flags]
#include <algorithm>
#include <array>

#include "bytes.hpp"
#include "ops.hpp"
#include "scenarios.hpp"

namespace {

using namespace bench;
constexpr std::array<std::size_t, 3> kSizes = {32, 4096, 65536};

std::string sz(std::size_t len) { return len >= 1024 ? std::to_string(len / 1024) + "k" : std::to_string(len); }
u64 chunk_for(std::size_t len) { return len <= 32 ? u64(1) << 18 : (u64(64) << 20) / len; }  // 64 MiB per iteration

void set_rates(benchmark::State& st, u64 msgs, std::size_t len) {
  st.SetItemsProcessed(static_cast<int64_t>(msgs));
  st.SetBytesProcessed(static_cast<int64_t>(msgs * len));
}

// 1 producer -> 1 consumer; an iteration moves `chunk` messages. Batch > 1:
// the consumer takes up to Batch messages per R::read_n.
template <class R, std::size_t Batch = 1>
void stream(benchmark::State& st, std::size_t len) {
  if constexpr (Batch == 1)
    st.SetLabel(R::label);
  else
    st.SetLabel(std::string(R::label) + "; the consumer takes up to " + std::to_string(Batch) + " per read_n");
  const u64 chunk = chunk_for(len), n = static_cast<u64>(st.max_iterations);
  auto r = R::make(len);
  guard g(true);
  std::atomic<u64> done{0};
  u64 end = 0;  // read after `done` (acquire)
  {
    pinned_thread consumer(cpus()[1], [&, len, chunk, n] {
      auto& q = *r;
      std::vector<byte> out(len);
      u64 s = 1;
      for (u64 k = 1; k <= n; ++k) {
        if constexpr (Batch == 1) {
          for (u64 i = 0; i < chunk; ++i, ++s) {
            while (!R::read(q, [&](const byte* p, std::size_t l) {
              if (l != len) fail("length", l, len);
              std::memcpy(out.data(), p, l);
            })) {
            }
            verify(out.data(), len, s);
          }
        } else {
          for (u64 i = 0; i < chunk;)
            i += R::read_n(q, static_cast<std::size_t>(std::min<u64>(Batch, chunk - i)), [&](const byte* p, std::size_t l) {
              if (l != len) fail("length", l, len);
              std::memcpy(out.data(), p, l);
              verify(out.data(), len, s++);
            });
        }
        end = ticks();
        done.store(k, std::memory_order_release);  // release: publishes `end`
      }
    });
    auto& q = *r;
    u64 s = 1, k = 0;
    for (auto _ : st) {
      const u64 t0 = ticks();
      for (u64 i = 0; i < chunk; ++i, ++s)
        while (!R::write(q, 0, len, [&](byte* p) { fill(p, len, s); })) {
        }
      ++k;
      while (done.load(std::memory_order_acquire) < k) cpu_relax();  // acquire: pairs with the consumer's release
      st.SetIterationTime(seconds(end - t0));
    }
  }
  set_rates(st, n * chunk, len);
  g.finish(st);
}

// 2 producers (cpus()[0] and `third`) -> 1 consumer (cpus()[1]); an
// iteration moves `chunk` messages, half from each producer.
template <class R>
void stream2(benchmark::State& st, std::size_t len, int third) {
  st.SetLabel(R::label);
  const u64 per = chunk_for(len) / 2, n = static_cast<u64>(st.max_iterations);
  auto r = R::make(len);
  guard g(true, {cpus()[0], cpus()[1], third});
  std::atomic<u64> started{0}, done{0};
  u64 end = 0;
  auto produce = [&, len, per](int i, u64& s) {
    const u64 tag = u64(i + 1) << 48;
    for (u64 k = 0; k < per; ++k, ++s)
      while (!R::write(*r, i, len, [&](byte* p) { fill(p, len, tag | s); })) {
      }
  };
  {
    pinned_thread consumer(cpus()[1], [&, len, per, n] {
      std::vector<byte> out(len);
      u64 want[2] = {1, 1}, stamp = 0;
      for (u64 k = 1; k <= n; ++k) {
        for (u64 m = 0; m < 2 * per; ++m) {
          while (!R::read(*r, [&](const byte* p, std::size_t l) {
            if (l != len) fail("length", l, len);
            std::memcpy(out.data(), p, l);
            std::memcpy(&stamp, p, 8);
          })) {
          }
          const u64 i = (stamp >> 48) - 1;
          if (i > 1) fail("producer id", stamp);
          verify(out.data(), len, ((i + 1) << 48) | want[i]++);
        }
        end = ticks();
        done.store(k, std::memory_order_release);
      }
    });
    pinned_thread second(third, [&, n] {
      u64 s = 1;
      for (u64 k = 1; k <= n; ++k) {
        while (started.load(std::memory_order_acquire) < k) cpu_relax();
        produce(1, s);
      }
    });
    u64 s = 1, k = 0;
    for (auto _ : st) {
      const u64 t0 = ticks();
      started.store(++k, std::memory_order_release);
      produce(0, s);
      while (done.load(std::memory_order_acquire) < k) cpu_relax();
      st.SetIterationTime(seconds(end - t0));
    }
  }
  set_rates(st, n * 2 * per, len);
  g.finish(st);
}

// One thread copies the same messages into a 1 MiB region, record after
// record (footprints and wrap as in the ring), no ring, no consumer.
void memcpy_ceiling(benchmark::State& st, std::size_t len) {
  st.SetLabel("reference: memcpy of the messages into a 1 MiB region, one thread, no ring");
  const region_ptr region = zeroed_region();
  const std::size_t fp = lb::footprint(len);
  const u64 chunk = chunk_for(len);
  std::size_t at = 0;
  u64 s = 1;
  guard g(false, {cpus()[0]});
  for (auto _ : st) {
    const u64 t0 = ticks();
    for (u64 i = 0; i < chunk; ++i, ++s) {
      if (at + fp > kRing) at = 0;
      std::memcpy(region.get() + at + 8, source() + src_off(s), len);
      asm volatile("" : : "r"(region.get()) : "memory");  // the copy must happen
      at += fp;
    }
    st.SetIterationTime(seconds(ticks() - t0));
  }
  set_rates(st, u64(st.iterations()) * chunk, len);
  g.finish(st);
}

// Producer batches: 1 or 2 producers fill about the whole ring per
// iteration; drained and checked untimed.
template <class R>
void batches(benchmark::State& st, int producers, std::size_t len) {
  st.SetLabel(R::label);
  auto r = R::make(len);
  const u64 fits = kRing / lb::footprint(len);
  const u64 per = std::max<u64>(1, (fits - 2) / 2) * 2 / u64(producers);
  u64 seq[2] = {1, 1}, want[2] = {1, 1};
  std::vector<byte> out(len);
  guard g(producers > 1);
  timed_batches(
      st, producers, [](int) {},
      [&](int i) {
        u64 s = seq[i];
        const u64 tag = u64(i + 1) << 48;
        for (u64 k = 0; k < per; ++k, ++s) {
          const u64 stamp = tag | s;
          if (!R::write(*r, i, len, [&](byte* p) { fill(p, len, stamp); })) fail("ring full inside a batch", u64(i), s);
        }
        seq[i] = s;
      },
      [&] {
        u64 got = 0, stamp = 0;
        while (R::read(*r, [&](const byte* p, std::size_t l) {
          if (l != len) fail("length", l, len);
          std::memcpy(out.data(), p, l);
          std::memcpy(&stamp, p, 8);
        })) {
          const u64 i = (stamp >> 48) - 1;
          if (i >= u64(producers)) fail("producer id", stamp);
          verify(out.data(), len, ((i + 1) << 48) | want[i]++);
          ++got;
        }
        if (got != per * u64(producers)) fail("batch count", got, per * u64(producers));
      });
  set_rates(st, u64(st.iterations()) * per * u64(producers), len);
  g.finish(st);
}

// Two threads reserving footprints by CAS on one shared position and
// memcpy-ing the messages into one 1 MiB region, as many per iteration as a
// 2-producer batch, no consumer, no headers, no full check: the ceiling of
// the producer side of any ring whose producers share a tail. Nothing reads
// the region, so the copies are not checked.
void shared_tail_ceiling(benchmark::State& st, std::size_t len) {
  st.SetLabel("reference: 2 threads CAS one shared tail and memcpy, no ring (2-producer ceiling)");
  const region_ptr region = zeroed_region();
  alignas(64) std::atomic<u64> tail{0};
  const u64 fp = lb::footprint(len), fits = kRing / fp;
  const u64 per = std::max<u64>(1, (fits - 2) / 2);
  u64 s[2] = {1, 1};
  guard g(true);
  timed_batches(
      st, 2, [](int) {},
      [&](int i) {
        for (u64 k = 0; k < per; ++k, ++s[i]) {
          u64 t = tail.load(std::memory_order_relaxed), at = 0, need = 0;
          do {  // relaxed: only the position is shared; no data is handed over here
            at = t & (kRing - 1);
            need = at + fp > kRing ? kRing - at + fp : fp;
          } while (!tail.compare_exchange_weak(t, t + need, std::memory_order_relaxed));
          if (need != fp) at = 0;
          std::memcpy(region.get() + at + 8, source() + src_off(s[i]), len);
          asm volatile("" : : "r"(region.get()) : "memory");  // the copy must happen
        }
      },
      [] {});
  set_rates(st, u64(st.iterations()) * 2 * per, len);
  g.finish(st);
}

void register_all() {
  const int third = spare_cpu();
  for (const std::size_t len : kSizes) {
    const std::string s = "lb_stream_" + sz(len);
    reg(s, "nexus", "spsc", [len](benchmark::State& st) { stream<nexus_bytes_spsc>(st, len); });
    reg(s, "nexus", "mpsc", [len](benchmark::State& st) { stream<nexus_bytes_mpsc>(st, len); });
    reg(s, "ref", "spsc_consumer_zeroes", [len](benchmark::State& st) { stream<nexus_bytes_spsc_czero>(st, len); });
    reg(s, "peer", "cds_WeakRingBuffer", [len](benchmark::State& st) { stream<cds_bytes>(st, len); });
    reg(s, "ref", "handoff", [len](benchmark::State& st) { stream<handoff<false>>(st, len); });
    reg(s, "ref", "handoff_zero", [len](benchmark::State& st) { stream<handoff<true>>(st, len); });
    reg(s, "ref", "memcpy", [len](benchmark::State& st) { memcpy_ceiling(st, len); });
    if (third >= 0)
      reg("lb_stream2_" + sz(len), "nexus", "mpsc",
          [len, third](benchmark::State& st) { stream2<nexus_bytes_mpsc>(st, len, third); });
    const std::string b1 = "lb_batch1_" + sz(len), b2 = "lb_batch2_" + sz(len);
    reg(b1, "nexus", "spsc", [len](benchmark::State& st) { batches<nexus_bytes_spsc>(st, 1, len); });
    reg(b1, "nexus", "mpsc", [len](benchmark::State& st) { batches<nexus_bytes_mpsc>(st, 1, len); });
    reg(b1, "peer", "cds_WeakRingBuffer", [len](benchmark::State& st) { batches<cds_bytes>(st, 1, len); });
    reg(b2, "nexus", "mpsc", [len](benchmark::State& st) { batches<nexus_bytes_mpsc>(st, 2, len); });
    reg(b2, "ref", "shared_tail", [len](benchmark::State& st) { shared_tail_ceiling(st, len); });
  }
  // Batch reads against single reads, the same stream of 32 B messages.
  reg("lb_read_batch_32", "ref", "spsc_single", [](benchmark::State& st) { stream<nexus_bytes_spsc>(st, 32); });
  reg("lb_read_batch_32", "nexus", "spsc_read_n32", [](benchmark::State& st) { stream<nexus_bytes_spsc, 32>(st, 32); });
  reg("lb_read_batch_32", "nexus", "mpsc_read_n32", [](benchmark::State& st) { stream<nexus_bytes_mpsc, 32>(st, 32); });
  reg("lb_channel_read_batch_32", "ref", "channel_try_recv",
      [](benchmark::State& st) { stream<nexus_bytes_channel>(st, 32); });
  reg("lb_channel_read_batch_32", "nexus", "channel_try_recv_many32",
      [](benchmark::State& st) { stream<nexus_bytes_channel, 32>(st, 32); });
  reg("lb_op", "nexus", "claim_commit_spsc", time_op<claim_commit<nexus_bytes_spsc>>);
  reg("lb_op", "nexus", "claim_commit_mpsc", time_op<claim_commit<nexus_bytes_mpsc>>);
  reg("lb_op", "peer", "claim_commit_cds", time_op<claim_commit<cds_bytes>>);
  reg("lb_op", "nexus", "read_consume_spsc", time_op<read_consume<nexus_bytes_spsc>>);
  reg("lb_op", "nexus", "read_consume_mpsc", time_op<read_consume<nexus_bytes_mpsc>>);
  reg("lb_op", "peer", "read_consume_cds", time_op<read_consume<cds_bytes>>);
  reg("lb_op", "nexus", "read_n32_consume_spsc", time_op<read_n_consume<nexus_bytes_spsc, 32>>);
  reg("lb_op", "nexus", "read_consume_channel", time_op<read_consume<nexus_bytes_channel>>);
  reg("lb_op", "nexus", "read_n32_consume_channel", time_op<read_n_consume<nexus_bytes_channel, 32>>);
}

}  // namespace

int main(int argc, char** argv) { return bench::run_main(argc, argv, register_all); }
