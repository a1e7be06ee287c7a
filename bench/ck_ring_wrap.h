/* bench/ck_ring_wrap.h -- Concurrency Kit's ck_ring (Debian libck-dev) for
 * the C++ benchmarks. <ck_ring.h> does not compile as C++ (it returns
 * `false` from a function returning void *), so ck_ring_wrap.c includes it
 * as C and exports these; the bench targets are built with -flto, which
 * inlines them back into the C++ loops. Values are 64-bit (stored in ck's
 * void * slots). A ring of `size` slots (a power of two) holds size - 1. */
#ifndef NEXUS_BENCH_CK_RING_WRAP_H
#define NEXUS_BENCH_CK_RING_WRAP_H
#include <stdbool.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
struct ckw_ring;
struct ckw_ring* ckw_new(unsigned size);
void ckw_free(struct ckw_ring* r);
bool ckw_enqueue_spsc(struct ckw_ring* r, uint64_t v);
bool ckw_dequeue_spsc(struct ckw_ring* r, uint64_t* v);
bool ckw_enqueue_mpsc(struct ckw_ring* r, uint64_t v);
bool ckw_dequeue_mpsc(struct ckw_ring* r, uint64_t* v);
bool ckw_enqueue_spmc(struct ckw_ring* r, uint64_t v);
bool ckw_dequeue_spmc(struct ckw_ring* r, uint64_t* v);
bool ckw_enqueue_mpmc(struct ckw_ring* r, uint64_t v);
bool ckw_dequeue_mpmc(struct ckw_ring* r, uint64_t* v);
#ifdef __cplusplus
}
#endif
#endif
