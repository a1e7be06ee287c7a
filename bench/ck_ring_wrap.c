/* bench/ck_ring_wrap.c -- see ck_ring_wrap.h. Built as C with -flto. */
#include "ck_ring_wrap.h"

#include <ck_ring.h>
#include <stdlib.h>

struct ckw_ring {
  ck_ring_t ring;
  ck_ring_buffer_t* buf;
};

struct ckw_ring* ckw_new(unsigned size) {
  struct ckw_ring* r =
      aligned_alloc(CK_MD_CACHELINE, (sizeof *r + CK_MD_CACHELINE - 1) / CK_MD_CACHELINE * CK_MD_CACHELINE);
  if (r == NULL) return NULL;
  r->buf = aligned_alloc(CK_MD_CACHELINE, sizeof(ck_ring_buffer_t) * size);
  if (r->buf == NULL) {
    free(r);
    return NULL;
  }
  ck_ring_init(&r->ring, size);
  return r;
}

void ckw_free(struct ckw_ring* r) {
  if (r == NULL) return;
  free(r->buf);
  free(r);
}

#define CKW_PAIR(mode)                                                    \
  bool ckw_enqueue_##mode(struct ckw_ring* r, uint64_t v) {               \
    return ck_ring_enqueue_##mode(&r->ring, r->buf, (void*)(uintptr_t)v); \
  }                                                                       \
  bool ckw_dequeue_##mode(struct ckw_ring* r, uint64_t* v) {              \
    void* p;                                                              \
    if (!ck_ring_dequeue_##mode(&r->ring, r->buf, &p)) return false;      \
    *v = (uint64_t)(uintptr_t)p;                                          \
    return true;                                                          \
  }
CKW_PAIR(spsc)
CKW_PAIR(mpsc)
CKW_PAIR(spmc)
CKW_PAIR(mpmc)
