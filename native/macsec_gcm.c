/*
 * macsec_gcm: the `native` backend of macsec-sim. AES-GCM per SA with the key expanded once, and one call
 * from JavaScript per burst of frames, working in the caller's buffers. Two engines, chosen at build time:
 *
 *   ipsec-mb  Intel's intel-ipsec-mb (built with MACSEC_IPSEC_MB, -lIPSec_MB): the one-shot
 *             IMB_AES128/256_GCM_ENC/DEC call per frame over a per-SA `gcm_key_data` (64-octet aligned),
 *             the fastest per-frame GCM there is on x86-64 (PERFORMANCE.md);
 *   evp       OpenSSL's EVP interface, one context pair per SA re-initialised with only the IV per frame.
 *             The OpenSSL symbols resolve from the node binary, which exports them (no -lcrypto).
 *
 * Besides the GCM calls, the packed kernels (protectPacked/validatePacked) do a MACsec transmit or receive
 * over frames packed in one buffer (src/wire/packed.ts): SecTAG, PNs, protect/validate, outcome codes.
 *
 * Plain C over node_api.h (no node-addon-api). Context-aware (NAPI_MODULE_INIT), so worker threads load
 * it too, each with its own SA handles; the ipsec-mb manager is process-wide and read-only once set up.
 *
 * The burst descriptor layout is src/crypto/engine.ts's: 8 int32 words per frame, namely the offsets
 * and lengths of AAD, data and ICV in the buffer, then the IV as three little-endian words.
 */
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef MACSEC_IPSEC_MB
#include <intel-ipsec-mb.h>
#include <pthread.h>
#endif

/* Bumped whenever a function's arguments change, so a stale build is refused rather than misused. */
#define ADDON_ABI 2

#define DESC_WORDS 8
#define D_AAD_OFF 0
#define D_AAD_LEN 1
#define D_DATA_OFF 2
#define D_DATA_LEN 3
#define D_TAG_OFF 4
#define D_IV 5
#define TAG_LEN 16
#define IV_LEN 12

typedef struct {
  int key_len;
#ifdef MACSEC_IPSEC_MB
  /* The ipsec-mb engine's expanded key and hash key powers; NULL on the EVP engine and once wiped. */
  struct gcm_key_data *key_data;
#endif
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
  int live;
} sa_t;

#ifdef MACSEC_IPSEC_MB
static IMB_MGR *imb;
static IMB_ARCH imb_arch;
static pthread_once_t imb_once = PTHREAD_ONCE_INIT;

/* The manager holds only function pointers chosen for this CPU: set up once, shared by every thread. */
static void imb_setup(void) {
  IMB_MGR *m = alloc_mb_mgr(0);
  if (m == NULL) return;
  init_mb_mgr_auto(m, &imb_arch);
  if (imb_get_errno(m) != 0) {
    free_mb_mgr(m);
    return;
  }
  imb = m;
}

static const char *arch_name(IMB_ARCH a) {
  switch (a) {
    case IMB_ARCH_NOAESNI: return "noaesni";
    case IMB_ARCH_SSE: return "sse";
    case IMB_ARCH_AVX: return "avx";
    case IMB_ARCH_AVX2: return "avx2";
    case IMB_ARCH_AVX512: return "avx512";
    default: return "unknown";
  }
}
#endif

/* Throws and returns NULL from the calling N-API function. */
#define FAIL(env, msg)                     \
  do {                                     \
    napi_throw_error((env), NULL, (msg));  \
    return NULL;                           \
  } while (0)

#define CHECK(env, call, msg)                   \
  do {                                          \
    if ((call) != napi_ok) FAIL((env), (msg));  \
  } while (0)

#ifdef MACSEC_IPSEC_MB
/* Whether the ipsec-mb engine serves this process: its manager set up (else EVP does). */
static int use_imb(void) {
  pthread_once(&imb_once, imb_setup);
  return imb != NULL;
}
#endif

static void sa_free(sa_t *sa) {
#ifdef MACSEC_IPSEC_MB
  if (sa->key_data != NULL) {
    OPENSSL_cleanse(sa->key_data, sizeof *sa->key_data);
    free(sa->key_data);
    sa->key_data = NULL;
  }
#endif
  /* EVP_CIPHER_CTX_free cleanses the key schedule before freeing it. */
  EVP_CIPHER_CTX_free(sa->enc);
  EVP_CIPHER_CTX_free(sa->dec);
  sa->enc = NULL;
  sa->dec = NULL;
  sa->live = 0;
}

static void sa_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sa_free((sa_t *)data);
  OPENSSL_free(data);
}

static int get_sa(napi_env env, napi_value v, sa_t **out) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "macsec_gcm: expected an SA handle");
    return 0;
  }
  *out = (sa_t *)p;
  if (!(*out)->live) {
    napi_throw_error(env, NULL, "macsec_gcm: the SA was wiped");
    return 0;
  }
  return 1;
}

/* Sets up the SA's key: 1 on success. */
static int sa_init(sa_t *sa, const uint8_t *key, int key_len) {
  sa->key_len = key_len;
#ifdef MACSEC_IPSEC_MB
  if (use_imb()) {
    void *p = NULL;
    if (posix_memalign(&p, 64, sizeof(struct gcm_key_data)) != 0) return 0;
    sa->key_data = p;
    if (key_len == 16) IMB_AES128_GCM_PRE(imb, key, sa->key_data);
    else IMB_AES256_GCM_PRE(imb, key, sa->key_data);
    sa->live = 1;
    return 1;
  }
#endif
  const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  sa->enc = EVP_CIPHER_CTX_new();
  sa->dec = EVP_CIPHER_CTX_new();
  if (sa->enc == NULL || sa->dec == NULL || EVP_EncryptInit_ex(sa->enc, cipher, NULL, key, NULL) != 1 ||
      EVP_DecryptInit_ex(sa->dec, cipher, NULL, key, NULL) != 1) {
    return 0;
  }
  sa->live = 1;
  return 1;
}

/* GCM-encrypts len octets from src to dst (the same place, or apart) and writes the tag; 1 on success. */
static int seal_to(sa_t *sa, const uint8_t *iv, const uint8_t *aad, int aad_len, const uint8_t *src, uint8_t *dst, int len, uint8_t *tag) {
#ifdef MACSEC_IPSEC_MB
  if (sa->key_data != NULL) {
    struct gcm_context_data ctx;
    if (sa->key_len == 16) IMB_AES128_GCM_ENC(imb, sa->key_data, &ctx, dst, src, (uint64_t)len, iv, aad, (uint64_t)aad_len, tag, TAG_LEN);
    else IMB_AES256_GCM_ENC(imb, sa->key_data, &ctx, dst, src, (uint64_t)len, iv, aad, (uint64_t)aad_len, tag, TAG_LEN);
    return 1;
  }
#endif
  int n = 0;
  uint8_t scratch[16];
  EVP_CIPHER_CTX *ctx = sa->enc;
  if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return 0;
  if (aad_len > 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad, aad_len) != 1) return 0;
  if (len > 0 && EVP_EncryptUpdate(ctx, dst, &n, src, len) != 1) return 0;
  if (EVP_EncryptFinal_ex(ctx, scratch, &n) != 1) return 0;
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
}

static int seal_one(sa_t *sa, const uint8_t *iv, const uint8_t *aad, int aad_len, uint8_t *data, int data_len, uint8_t *tag) {
  return seal_to(sa, iv, aad, aad_len, data, data, data_len, tag);
}

/*
 * GCM-decrypts len octets from src to dst and checks the tag in constant time. 1 when it verified, 0 when
 * not, -1 on an OpenSSL error. Both engines decrypt before they can verify; in place (src == dst), a frame
 * that fails has its ciphertext put back (CTR is its own inverse), so the caller's buffer changes only when
 * the tag verified; apart, dst is then scratch.
 */
static int open_to(sa_t *sa, const uint8_t *iv, const uint8_t *aad, int aad_len, const uint8_t *src, uint8_t *dst, int len, const uint8_t *tag) {
  uint8_t expected[TAG_LEN];
  memcpy(expected, tag, TAG_LEN);
#ifdef MACSEC_IPSEC_MB
  if (sa->key_data != NULL) {
    struct gcm_context_data ctx;
    uint8_t computed[TAG_LEN];
    if (sa->key_len == 16) IMB_AES128_GCM_DEC(imb, sa->key_data, &ctx, dst, src, (uint64_t)len, iv, aad, (uint64_t)aad_len, computed, TAG_LEN);
    else IMB_AES256_GCM_DEC(imb, sa->key_data, &ctx, dst, src, (uint64_t)len, iv, aad, (uint64_t)aad_len, computed, TAG_LEN);
    if (CRYPTO_memcmp(computed, expected, TAG_LEN) == 0) return 1;
    if (len > 0 && src == dst) {
      if (sa->key_len == 16) IMB_AES128_GCM_ENC(imb, sa->key_data, &ctx, dst, dst, (uint64_t)len, iv, aad, (uint64_t)aad_len, computed, TAG_LEN);
      else IMB_AES256_GCM_ENC(imb, sa->key_data, &ctx, dst, dst, (uint64_t)len, iv, aad, (uint64_t)aad_len, computed, TAG_LEN);
    }
    return 0;
  }
#endif
  int n = 0;
  uint8_t scratch[16];
  EVP_CIPHER_CTX *ctx = sa->dec;
  if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return -1;
  if (aad_len > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad, aad_len) != 1) return -1;
  if (len > 0 && EVP_DecryptUpdate(ctx, dst, &n, src, len) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, expected) != 1) return -1;
  if (EVP_DecryptFinal_ex(ctx, scratch, &n) == 1) return 1;
  if (len > 0 && src == dst) {
    if (EVP_EncryptInit_ex(sa->enc, NULL, NULL, NULL, iv) != 1) return -1;
    if (EVP_EncryptUpdate(sa->enc, dst, &n, dst, len) != 1) return -1;
  }
  return 0;
}

static int open_one(sa_t *sa, const uint8_t *iv, const uint8_t *aad, int aad_len, uint8_t *data, int data_len, const uint8_t *tag) {
  return open_to(sa, iv, aad, aad_len, data, data, data_len, tag);
}

static void iv_from_words(const int32_t *w, uint8_t *iv) {
  for (int k = 0; k < 3; k++) {
    uint32_t x = (uint32_t)w[k];
    iv[4 * k] = (uint8_t)x;
    iv[4 * k + 1] = (uint8_t)(x >> 8);
    iv[4 * k + 2] = (uint8_t)(x >> 16);
    iv[4 * k + 3] = (uint8_t)(x >> 24);
  }
}

/* Any typed array: its first byte and length in bytes (SharedArrayBuffer-backed ones included). */
static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  size_t count = 0;
  void *p = NULL;
  if (napi_get_typedarray_info(env, v, &type, &count, &p, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "macsec_gcm: expected a typed array");
    return 0;
  }
  size_t size = 1;
  switch (type) {
    case napi_int32_array:
    case napi_uint32_array:
      size = 4;
      break;
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      size = 1;
      break;
    default:
      napi_throw_type_error(env, NULL, "macsec_gcm: expected a Uint8Array or Int32Array");
      return 0;
  }
  *data = (uint8_t *)p;
  *len = count * size;
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "macsec_gcm: expected an integer");
    return 0;
  }
  return 1;
}

/* Whether [off, off + len) lies inside a buffer of `size` octets. */
static int in_range(int64_t off, int64_t len, size_t size) {
  return off >= 0 && len >= 0 && off + len <= (int64_t)size;
}

static int frame_in_range(int32_t aad_off, int32_t aad_len, int32_t data_off, int32_t data_len, int32_t tag_off, size_t size) {
  return in_range(aad_off, aad_len, size) && in_range(data_off, data_len, size) && in_range(tag_off, TAG_LEN, size);
}

/* createSa(key: Uint8Array of 16 or 32 octets) -> SA handle */
static napi_value create_sa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  uint8_t *key = NULL;
  size_t key_len = 0;
  if (argc < 1 || !get_bytes(env, argv[0], &key, &key_len)) return NULL;
  if (key_len != 16 && key_len != 32) FAIL(env, "macsec_gcm: the key must be 16 or 32 octets");
  sa_t *sa = OPENSSL_zalloc(sizeof *sa);
  if (sa == NULL) FAIL(env, "macsec_gcm: out of memory");
  if (!sa_init(sa, key, (int)key_len)) {
    sa_free(sa);
    OPENSSL_free(sa);
    FAIL(env, "macsec_gcm: could not set up AES-GCM");
  }
  napi_value handle;
  if (napi_create_external(env, sa, sa_finalize, NULL, &handle) != napi_ok) {
    sa_free(sa);
    OPENSSL_free(sa);
    FAIL(env, "macsec_gcm: could not create the SA handle");
  }
  return handle;
}

/* wipe(sa): wipes and frees the key data now rather than at garbage collection. */
static napi_value wipe(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  if (argc < 1 || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) FAIL(env, "macsec_gcm: expected an SA handle");
  sa_free((sa_t *)p);
  return NULL;
}

/* Shared by seal and open: sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff. */
typedef struct {
  sa_t *sa;
  uint8_t *iv;
  uint8_t *buf;
  int32_t aad_off, aad_len, data_off, data_len, tag_off;
} frame_args;

static int frame_arguments(napi_env env, napi_callback_info info, frame_args *a) {
  size_t argc = 8;
  napi_value argv[8];
  uint8_t *iv = NULL;
  size_t iv_len = 0, size = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8) {
    napi_throw_type_error(env, NULL, "macsec_gcm: expected (sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff)");
    return 0;
  }
  if (!get_sa(env, argv[0], &a->sa) || !get_bytes(env, argv[1], &iv, &iv_len) || !get_bytes(env, argv[2], &a->buf, &size)) return 0;
  if (!get_int(env, argv[3], &a->aad_off) || !get_int(env, argv[4], &a->aad_len) || !get_int(env, argv[5], &a->data_off) ||
      !get_int(env, argv[6], &a->data_len) || !get_int(env, argv[7], &a->tag_off)) {
    return 0;
  }
  if (iv_len < IV_LEN) {
    napi_throw_range_error(env, NULL, "macsec_gcm: the IV must be 12 octets");
    return 0;
  }
  if (!frame_in_range(a->aad_off, a->aad_len, a->data_off, a->data_len, a->tag_off, size)) {
    napi_throw_range_error(env, NULL, "macsec_gcm: AAD, data or ICV outside the buffer");
    return 0;
  }
  a->iv = iv;
  return 1;
}

/* seal(sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff) */
static napi_value seal(napi_env env, napi_callback_info info) {
  frame_args a;
  if (!frame_arguments(env, info, &a)) return NULL;
  if (!seal_one(a.sa, a.iv, a.buf + a.aad_off, a.aad_len, a.buf + a.data_off, a.data_len, a.buf + a.tag_off)) {
    FAIL(env, "macsec_gcm: failed to encrypt");
  }
  return NULL;
}

/* open(sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff) -> boolean */
static napi_value open_frame(napi_env env, napi_callback_info info) {
  frame_args a;
  if (!frame_arguments(env, info, &a)) return NULL;
  int r = open_one(a.sa, a.iv, a.buf + a.aad_off, a.aad_len, a.buf + a.data_off, a.data_len, a.buf + a.tag_off);
  if (r < 0) FAIL(env, "macsec_gcm: failed to decrypt");
  napi_value result;
  CHECK(env, napi_get_boolean(env, r == 1, &result), "macsec_gcm: napi_get_boolean");
  return result;
}

/*
 * The frames [first, first + count) of a burst: checks every descriptor against the buffer first, so a
 * bad one throws before anything is changed. Returns 0, with an exception pending, on failure.
 */
static int burst_arguments(napi_env env, napi_value *argv, int with_results, sa_t **sa, uint8_t **buf, int32_t **desc, uint8_t **results,
                           int32_t *first, int32_t *count) {
  size_t size = 0, desc_size = 0, results_size = 0;
  uint8_t *d = NULL;
  int i = 0;
  if (!get_sa(env, argv[i++], sa) || !get_bytes(env, argv[i++], buf, &size) || !get_bytes(env, argv[i++], &d, &desc_size)) return 0;
  if (with_results && !get_bytes(env, argv[i++], results, &results_size)) return 0;
  if (!get_int(env, argv[i++], first) || !get_int(env, argv[i++], count)) return 0;
  *desc = (int32_t *)d;
  if (*first < 0 || *count < 0 || ((int64_t)*first + *count) * DESC_WORDS * 4 > (int64_t)desc_size ||
      (with_results && (int64_t)*first + *count > (int64_t)results_size)) {
    napi_throw_range_error(env, NULL, "macsec_gcm: frames outside the descriptor table");
    return 0;
  }
  for (int32_t f = *first; f < *first + *count; f++) {
    const int32_t *w = *desc + (size_t)f * DESC_WORDS;
    if (!frame_in_range(w[D_AAD_OFF], w[D_AAD_LEN], w[D_DATA_OFF], w[D_DATA_LEN], w[D_TAG_OFF], size)) {
      napi_throw_range_error(env, NULL, "macsec_gcm: a frame's AAD, data or ICV lies outside the burst buffer");
      return 0;
    }
  }
  return 1;
}

/* sealBurst(sa, buf, desc, first, count) */
static napi_value seal_burst(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  sa_t *sa;
  uint8_t *buf, *results = NULL;
  int32_t *desc, first, count;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  if (argc < 5) FAIL(env, "macsec_gcm: expected (sa, buf, desc, first, count)");
  if (!burst_arguments(env, argv, 0, &sa, &buf, &desc, &results, &first, &count)) return NULL;
  uint8_t iv[IV_LEN];
  for (int32_t f = first; f < first + count; f++) {
    const int32_t *w = desc + (size_t)f * DESC_WORDS;
    iv_from_words(w + D_IV, iv);
    if (!seal_one(sa, iv, buf + w[D_AAD_OFF], w[D_AAD_LEN], buf + w[D_DATA_OFF], w[D_DATA_LEN], buf + w[D_TAG_OFF])) {
      FAIL(env, "macsec_gcm: failed to encrypt");
    }
  }
  return NULL;
}

/* openBurst(sa, buf, desc, results, first, count) -> number of frames that verified */
static napi_value open_burst(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  sa_t *sa;
  uint8_t *buf, *results;
  int32_t *desc, first, count, verified = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  if (argc < 6) FAIL(env, "macsec_gcm: expected (sa, buf, desc, results, first, count)");
  if (!burst_arguments(env, argv, 1, &sa, &buf, &desc, &results, &first, &count)) return NULL;
  uint8_t iv[IV_LEN];
  for (int32_t f = first; f < first + count; f++) {
    const int32_t *w = desc + (size_t)f * DESC_WORDS;
    iv_from_words(w + D_IV, iv);
    int r = open_one(sa, iv, buf + w[D_AAD_OFF], w[D_AAD_LEN], buf + w[D_DATA_OFF], w[D_DATA_LEN], buf + w[D_TAG_OFF]);
    if (r < 0) FAIL(env, "macsec_gcm: failed to decrypt");
    results[f] = (uint8_t)r;
    verified += r;
  }
  napi_value out;
  CHECK(env, napi_create_int32(env, verified, &out), "macsec_gcm: napi_create_int32");
  return out;
}

/* ---------------------------------------------------------------- packed kernels (src/crypto/packed.ts) */

/* Outcome codes: src/crypto/packed.ts PackedCode, one per counter a frame can land in. */
#define CODE_OTHER 0
#define CODE_OUT_PROTECTED 1
#define CODE_OUT_ENCRYPTED 2
#define CODE_OUT_TOO_LONG 4
#define CODE_OUT_PN_EXHAUSTED 6
#define CODE_IN_OK 16
#define CODE_IN_UNCHECKED 17
#define CODE_IN_DELAYED 18
#define CODE_IN_LATE 19
#define CODE_IN_INVALID 20
#define CODE_IN_NOT_VALID 21
#define CODE_IN_BAD_TAG 26

/* The configuration octets of a packed call (packed.ts PACKED_CONFIG_OCTETS and the C_* offsets). */
#define CFG_OCTETS 24
#define CFG_TCI 0 /* transmit: the TCI/AN octet sent; receive: the AN of the run */
#define CFG_TAGS 1
#define CFG_OFFSET 2
#define CFG_FLAGS 3
#define CFG_IV 4
#define CFG_SCI 16
#define FLAG_XPN 1
#define FLAG_REPLAY 2
#define FLAG_VALIDATE_SHIFT 2 /* 0 Strict, 1 Check, 2 Disabled */
#define FLAG_POINT_TO_POINT 16
/* Receive: only frames whose code is CODE_OTHER on entry; the others are left untouched. */
#define FLAG_UNDECIDED 32

/* Control words: transmit */
#define TX_FIRST 0
#define TX_COUNT 1
#define TX_OUT_AT 2
#define TX_NEXT_HI 3
#define TX_NEXT_LO 4
#define TX_LAST_HI 5
#define TX_LAST_LO 6
#define TX_MAX_FRAME 7
#define TX_OUT_END 8
#define TX_USED 9
#define TX_WORDS 10
/* receive */
#define RX_FIRST 0
#define RX_COUNT 1
#define RX_OUT_AT 2
#define RX_LOWEST_HI 3
#define RX_LOWEST_LO 4
#define RX_OUT_END 5
#define RX_HANDLED 6
#define RX_VALIDATED_HI 7
#define RX_VALIDATED_LO 8
#define RX_DECRYPTED_HI 9
#define RX_DECRYPTED_LO 10
#define RX_WORDS 11

#define TCI_V 0x80
#define TCI_ES 0x40
#define TCI_SC 0x20
#define TCI_SCB 0x10
#define TCI_E 0x08
#define TCI_C 0x04
#define ADDRESSES 12
/* Output room a frame needs beyond its length (packed.ts PACKED_ROOM), transmit and receive alike. */
#define PACKED_ROOM 32
#define MIN_FRAME 60

static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, const char *what, void **data, size_t *count) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, count, data, NULL, NULL) != napi_ok || type != want) {
    char msg[96];
    snprintf(msg, sizeof msg, "macsec_gcm: %s must be a %s", what, want == napi_uint8_array ? "Uint8Array" : "Uint32Array");
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

typedef struct {
  sa_t *sa;
  const uint8_t *cfg;
  const uint8_t *in;
  size_t in_size;
  const uint32_t *in_off, *in_len;
  uint8_t *out;
  size_t out_size;
  uint32_t *out_off, *out_len;
  uint8_t *codes;
  uint32_t *pn_hi, *pn_lo;
  uint32_t *ctl;
  uint32_t first, count;
} packed_args;

/*
 * (sa, config, inData, inOffsets, inLengths, outData, outOffsets, outLengths, codes, pnHigh, pnLow, ctl):
 * checks every array and every input frame's place before anything is written.
 */
static int packed_arguments(napi_env env, napi_callback_info info, packed_args *a, size_t ctl_words) {
  size_t argc = 12, n[12] = {0};
  napi_value argv[12];
  void *p[12] = {0};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 12) {
    napi_throw_type_error(env, NULL, "macsec_gcm: expected (sa, config, inData, inOffsets, inLengths, outData, outOffsets, outLengths, codes, pnHigh, pnLow, ctl)");
    return 0;
  }
  static const char *names[12] = {"sa", "config", "input.data", "input.offsets", "input.lengths", "output.data", "output.offsets", "output.lengths", "codes", "pnHigh", "pnLow", "ctl"};
  static const napi_typedarray_type types[12] = {0, napi_uint8_array, napi_uint8_array, napi_uint32_array, napi_uint32_array, napi_uint8_array,
                                                 napi_uint32_array, napi_uint32_array, napi_uint8_array, napi_uint32_array, napi_uint32_array, napi_uint32_array};
  if (!get_sa(env, argv[0], &a->sa)) return 0;
  for (int k = 1; k < 12; k++) {
    if (!get_typed(env, argv[k], types[k], names[k], &p[k], &n[k])) return 0;
  }
  if (n[1] < CFG_OCTETS || n[11] < ctl_words) {
    napi_throw_range_error(env, NULL, "macsec_gcm: config or ctl too short");
    return 0;
  }
  a->cfg = p[1];
  a->in = p[2];
  a->in_size = n[2];
  a->in_off = p[3];
  a->in_len = p[4];
  a->out = p[5];
  a->out_size = n[5];
  a->out_off = p[6];
  a->out_len = p[7];
  a->codes = p[8];
  a->pn_hi = p[9];
  a->pn_lo = p[10];
  a->ctl = p[11];
  a->first = a->ctl[0];
  a->count = a->ctl[1];
  uint64_t end = (uint64_t)a->first + a->count;
  for (int k = 3; k <= 10; k++) {
    if (k != 5 && end > n[k]) {
      char msg[128];
      snprintf(msg, sizeof msg, "macsec_gcm: %s has fewer than %llu entries", names[k], (unsigned long long)end);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  for (uint64_t i = a->first; i < end; i++) {
    if ((uint64_t)a->in_off[i] + a->in_len[i] > a->in_size) {
      char msg[96];
      snprintf(msg, sizeof msg, "macsec_gcm: input frame %llu lies outside input.data", (unsigned long long)i);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

static void put_be32(uint8_t *p, uint32_t x) {
  p[0] = (uint8_t)(x >> 24);
  p[1] = (uint8_t)(x >> 16);
  p[2] = (uint8_t)(x >> 8);
  p[3] = (uint8_t)x;
}

static uint32_t get_be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

/* The IV (14.5, 14.7): the config's base (SCI ‖ 0 or (SSCI ‖ 0) XOR salt) XOR the 64-bit PN in its last 8 octets. */
static void packed_iv(const uint8_t *base, uint32_t hi, uint32_t lo, uint8_t *iv) {
  memcpy(iv, base, IV_LEN);
  iv[4] ^= (uint8_t)(hi >> 24);
  iv[5] ^= (uint8_t)(hi >> 16);
  iv[6] ^= (uint8_t)(hi >> 8);
  iv[7] ^= (uint8_t)hi;
  iv[8] ^= (uint8_t)(lo >> 24);
  iv[9] ^= (uint8_t)(lo >> 16);
  iv[10] ^= (uint8_t)(lo >> 8);
  iv[11] ^= (uint8_t)lo;
}

/*
 * protectPacked: transmit (10.5) of input frames first .. first + count - 1 (DA ‖ SA ‖ [clear tags] ‖ user
 * data) under one SA and one SecTAG form, PNs counting up from ctl's next PN, output frames back to back from
 * ctl[TX_OUT_AT]. Sets ctl[TX_OUT_END] and ctl[TX_USED] (PNs taken).
 */
static napi_value protect_packed(napi_env env, napi_callback_info info) {
  packed_args a;
  if (!packed_arguments(env, info, &a, TX_WORDS)) return NULL;
  const uint8_t *cfg = a.cfg;
  const uint8_t tci = cfg[CFG_TCI];
  const int sc = (tci & TCI_SC) != 0, e = (tci & TCI_E) != 0;
  const uint32_t tags = 4u * cfg[CFG_TAGS], hdr = ADDRESSES + tags, sectag = sc ? 16 : 8;
  const uint32_t max_frame = a.ctl[TX_MAX_FRAME];
  uint64_t at = a.ctl[TX_OUT_AT], need = 0;
  uint64_t next = ((uint64_t)a.ctl[TX_NEXT_HI] << 32) | a.ctl[TX_NEXT_LO];
  const uint64_t last = ((uint64_t)a.ctl[TX_LAST_HI] << 32) | a.ctl[TX_LAST_LO];
  int exhausted = next > last;
  const uint32_t end = a.first + a.count;
  if (cfg[CFG_TAGS] > 2) FAIL(env, "macsec_gcm: at most 2 clear tags");
  for (uint32_t i = a.first; i < end; i++) {
    if (a.in_len[i] < hdr + 2) {
      char msg[128];
      snprintf(msg, sizeof msg, "macsec_gcm: input frame %u is shorter than addresses, clear tags and EtherType (%u octets)", i, hdr + 2);
      napi_throw_range_error(env, NULL, msg);
      return NULL;
    }
    need += (uint64_t)a.in_len[i] + PACKED_ROOM;
  }
  if (at + need > a.out_size) FAIL(env, "macsec_gcm: output.data has no room for the frames (each needs its length + 32 octets)");
  uint32_t used = 0;
  uint8_t iv[IV_LEN];
  for (uint32_t i = a.first; i < end; i++) {
    const uint8_t *in = a.in + a.in_off[i];
    const uint32_t len = a.in_len[i], user = len - hdr, mpdu = len + sectag + TAG_LEN;
    a.out_off[i] = (uint32_t)at;
    a.out_len[i] = 0;
    a.pn_hi[i] = 0;
    a.pn_lo[i] = 0;
    if (len > max_frame) {
      a.codes[i] = CODE_OUT_TOO_LONG;
      continue;
    }
    if (exhausted) {
      a.codes[i] = CODE_OUT_PN_EXHAUSTED;
      continue;
    }
    if (mpdu > max_frame) {
      a.codes[i] = CODE_OUT_TOO_LONG;
      continue;
    }
    const uint32_t hi = (uint32_t)(next >> 32), lo = (uint32_t)next;
    if (next == last) exhausted = 1;
    else next++;
    used++;
    uint8_t *out = a.out + at;
    /* DA ‖ SA right before the SecTAG, so the AAD is one run; the clear tags go in after sealing. */
    memcpy(out + tags, in, ADDRESSES);
    uint8_t *st = out + hdr;
    st[0] = 0x88;
    st[1] = 0xe5;
    st[2] = tci;
    st[3] = (uint8_t)(user < 48 ? user : 0);
    put_be32(st + 4, lo);
    if (sc) memcpy(st + 8, cfg + CFG_SCI, 8);
    const uint32_t off = cfg[CFG_OFFSET];
    const uint32_t clear = e ? (off < user ? off : user) : user;
    /* The clear octets are AAD and copied; the rest is encrypted straight from the input. */
    memcpy(st + sectag, in + hdr, clear);
    packed_iv(cfg + CFG_IV, hi, lo, iv);
    if (!seal_to(a.sa, iv, out + tags, (int)(ADDRESSES + sectag + clear), in + hdr + clear, st + sectag + clear, (int)(user - clear), st + sectag + user)) {
      FAIL(env, "macsec_gcm: failed to encrypt");
    }
    if (tags > 0) memcpy(out, in, hdr);
    a.out_len[i] = mpdu;
    a.pn_hi[i] = hi;
    a.pn_lo[i] = lo;
    a.codes[i] = e ? CODE_OUT_ENCRYPTED : CODE_OUT_PROTECTED;
    at += mpdu;
  }
  a.ctl[TX_OUT_END] = (uint32_t)at;
  a.ctl[TX_USED] = used;
  return NULL;
}

/*
 * validatePacked: receive (10.6.1-10.6.5) of input frames first .. first + count - 1 for one receive SA:
 * frames whose SecTAG (at 12 + 4·clear tags) resolves to the config's SCI and AN are checked, their PN
 * recovered from ctl's lowestPN (XPN), pre-checked against it (replayProtect), validated and coded; a bad
 * SecTAG is InPktsBadTag; any other frame is left as CODE_OTHER for the general path. Delivered frames
 * (DA ‖ SA ‖ [clear tags] ‖ user data) go back to back from ctl[RX_OUT_AT]. Sets ctl[RX_OUT_END],
 * ctl[RX_HANDLED] (frames not CODE_OTHER) and the user data octets of the frames validated past the
 * pre-check, E clear and E set (none when validateFrames is Disabled), as 64-bit halves.
 */
static napi_value validate_packed(napi_env env, napi_callback_info info) {
  packed_args a;
  if (!packed_arguments(env, info, &a, RX_WORDS)) return NULL;
  const uint8_t *cfg = a.cfg;
  const uint32_t an = cfg[CFG_TCI] & 3, tags = 4u * cfg[CFG_TAGS], tag_off = ADDRESSES + tags, conf_off = cfg[CFG_OFFSET];
  const uint8_t flags = cfg[CFG_FLAGS];
  const int xpn = (flags & FLAG_XPN) != 0, replay = (flags & FLAG_REPLAY) != 0, p2p = (flags & FLAG_POINT_TO_POINT) != 0;
  const int mode = (flags >> FLAG_VALIDATE_SHIFT) & 3;
  const uint8_t *sci = cfg + CFG_SCI;
  const uint32_t low_hi = a.ctl[RX_LOWEST_HI], low_lo = a.ctl[RX_LOWEST_LO];
  uint64_t at = a.ctl[RX_OUT_AT], need = 0;
  const uint32_t end = a.first + a.count;
  if (cfg[CFG_TAGS] > 2) FAIL(env, "macsec_gcm: at most 2 clear tags");
  const int undecided = (flags & FLAG_UNDECIDED) != 0;
  for (uint32_t i = a.first; i < end; i++)
    if (!undecided || a.codes[i] == CODE_OTHER) need += (uint64_t)a.in_len[i] + PACKED_ROOM;
  if (at + need > a.out_size) FAIL(env, "macsec_gcm: output.data has no room for the frames (each needs its length + 32 octets)");
  uint32_t handled = 0;
  uint64_t octets[2] = {0, 0}; /* validated, decrypted */
  uint8_t iv[IV_LEN];
  for (uint32_t i = a.first; i < end; i++) {
    if (undecided && a.codes[i] != CODE_OTHER) continue;
    const uint8_t *p = a.in + a.in_off[i];
    const uint32_t len = a.in_len[i];
    a.codes[i] = CODE_OTHER;
    a.out_off[i] = (uint32_t)at;
    a.out_len[i] = 0;
    a.pn_hi[i] = 0;
    a.pn_lo[i] = 0;
    if (len < tag_off + 2) continue;
    int vlan = 1;
    for (uint32_t k = ADDRESSES; k < tag_off; k += 4) {
      const uint32_t tpid = ((uint32_t)p[k] << 8) | p[k + 1];
      if (tpid != 0x8100 && tpid != 0x88a8) vlan = 0;
    }
    if (!vlan || p[tag_off] != 0x88 || p[tag_off + 1] != 0xe5) continue;
    const uint8_t t = len > tag_off + 2 ? p[tag_off + 2] : 0;
    if ((t & (TCI_E | TCI_C)) == TCI_E) continue; /* the Uncontrolled Port's (9.5) */
    const int sc = (t & TCI_SC) != 0;
    const uint32_t data_off = tag_off + (sc ? 16 : 8);
    /* 9.3-9.8, 10.6.1: what makes a SecTAG not valid. */
    int bad = len < tag_off + 8;
    uint32_t sl = 0, lo = 0, user = 0;
    if (!bad) {
      sl = p[tag_off + 3];
      lo = get_be32(p + tag_off + 4);
      bad = (t & TCI_V) || (sc && (t & (TCI_ES | TCI_SCB))) || (sl & 0xc0) || sl >= 48 || (lo == 0 && !xpn) || len < data_off + TAG_LEN;
    }
    if (!bad) {
      const uint32_t avail = len - data_off - TAG_LEN;
      if (sl != 0) {
        bad = avail != sl && !(avail > sl && len <= MIN_FRAME);
        user = sl;
      } else {
        bad = avail < 48;
        user = avail;
      }
    }
    if (bad) {
      a.codes[i] = CODE_IN_BAD_TAG;
      handled++;
      continue;
    }
    /* The SCI (9.9, 10.6.1): carried, or implied by ES (source address ‖ port 1, port 0 with SCB), or the single SC of a point-to-point SecY. */
    int match;
    if (sc) match = memcmp(p + tag_off + 8, sci, 8) == 0;
    else if (t & TCI_ES) match = memcmp(p + 6, sci, 6) == 0 && sci[6] == 0 && sci[7] == ((t & TCI_SCB) ? 0 : 1);
    else match = p2p;
    if (!match || (t & 3) != an) continue;
    handled++;
    /* 802.1AEbw 10.6.2: the upper half recovered from lowestPN. */
    const uint64_t hi = xpn ? (lo >= low_lo ? (uint64_t)low_hi : (uint64_t)low_hi + 1) : 0;
    a.pn_hi[i] = (uint32_t)hi;
    a.pn_lo[i] = lo;
    const int late = hi < low_hi || (hi == low_hi && lo < low_lo);
    if (replay && late) {
      a.codes[i] = CODE_IN_LATE;
      continue;
    }
    if (mode != 2) octets[(t & TCI_E) ? 1 : 0] += user;
    const int c = (t & TCI_C) != 0;
    const uint64_t slot = at;
    uint8_t *o = a.out + slot;
    at += data_off + user + TAG_LEN;
    int deliver = 1;
    if (!c && mode == 2) {
      memcpy(o + data_off, p + data_off, user);
      a.codes[i] = late ? CODE_IN_DELAYED : CODE_IN_UNCHECKED;
    } else {
      const uint32_t clear = (t & TCI_E) ? (conf_off < user ? conf_off : user) : user;
      /* The AAD is DA ‖ SA ‖ SecTAG ‖ clear octets: one run of the input without clear tags, else gathered. */
      const uint8_t *aad = p;
      if (tags > 0) {
        memcpy(o + tags, p, ADDRESSES);
        memcpy(o + tag_off, p + tag_off, data_off - tag_off);
        aad = o + tags;
      }
      memcpy(o + data_off, p + data_off, clear);
      int ok = 0;
      if (hi <= 0xffffffffu) {
        packed_iv(cfg + CFG_IV, (uint32_t)hi, lo, iv);
        /* Decrypted straight into the output: the input is never written. */
        ok = open_to(a.sa, iv, aad, (int)(data_off + clear - tags), p + data_off + clear, o + data_off + clear, (int)(user - clear), p + data_off + user);
        if (ok < 0) FAIL(env, "macsec_gcm: failed to decrypt");
      }
      if (ok) a.codes[i] = late ? CODE_IN_DELAYED : CODE_IN_OK;
      else if (mode == 1 && !c) {
        a.codes[i] = CODE_IN_INVALID; /* delivered as received */
        memcpy(o + data_off, p + data_off, user);
      } else {
        a.codes[i] = CODE_IN_NOT_VALID;
        deliver = 0;
      }
    }
    if (!deliver) continue;
    /* DA ‖ SA ‖ clear tags right before the user data, where the SecTAG was. */
    const uint32_t start = data_off - tag_off;
    memcpy(o + start, p, tag_off);
    a.out_off[i] = (uint32_t)(slot + start);
    a.out_len[i] = tag_off + user;
  }
  a.ctl[RX_OUT_END] = (uint32_t)at;
  a.ctl[RX_HANDLED] = handled;
  a.ctl[RX_VALIDATED_HI] = (uint32_t)(octets[0] >> 32);
  a.ctl[RX_VALIDATED_LO] = (uint32_t)octets[0];
  a.ctl[RX_DECRYPTED_HI] = (uint32_t)(octets[1] >> 32);
  a.ctl[RX_DECRYPTED_LO] = (uint32_t)octets[1];
  return NULL;
}

/*
 * sealBare(sa, data, offsets, lengths, count, aadLen): the bench's crypto limit (row d). Frame i of the
 * packed buffer is AAD (its first aadLen octets: DA ‖ SA ‖ SecTAG with SCI), data, then a 16-octet ICV
 * space; sealed in place with IV = SCI ‖ PN as the SecTAG holds them. Nothing else: no layout, no codes.
 */
static napi_value seal_bare(napi_env env, napi_callback_info info) {
  size_t argc = 6, n_data = 0, n_off = 0, n_len = 0;
  napi_value argv[6];
  sa_t *sa;
  void *data = NULL, *offs = NULL, *lens = NULL;
  int32_t count = 0, aad_len = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  if (argc < 6 || !get_sa(env, argv[0], &sa) || !get_typed(env, argv[1], napi_uint8_array, "data", &data, &n_data) ||
      !get_typed(env, argv[2], napi_uint32_array, "offsets", &offs, &n_off) || !get_typed(env, argv[3], napi_uint32_array, "lengths", &lens, &n_len) ||
      !get_int(env, argv[4], &count) || !get_int(env, argv[5], &aad_len)) {
    return NULL;
  }
  const uint32_t *off = offs, *len = lens;
  if (count < 0 || (size_t)count > n_off || (size_t)count > n_len || aad_len != 28) FAIL(env, "macsec_gcm: bad sealBare arguments");
  for (int32_t i = 0; i < count; i++) {
    if (len[i] < (uint32_t)aad_len + TAG_LEN || (uint64_t)off[i] + len[i] > n_data) FAIL(env, "macsec_gcm: a frame lies outside data");
  }
  uint8_t iv[IV_LEN];
  for (int32_t i = 0; i < count; i++) {
    uint8_t *f = (uint8_t *)data + off[i];
    memcpy(iv, f + 20, 8);
    memcpy(iv + 8, f + 16, 4);
    if (!seal_one(sa, iv, f, aad_len, f + aad_len, (int)(len[i] - aad_len - TAG_LEN), f + len[i] - TAG_LEN)) FAIL(env, "macsec_gcm: failed to encrypt");
  }
  return NULL;
}

#ifdef MACSEC_IPSEC_MB
/*
 * crc32Frames(data, starts, ends, count, out): out[i] = the IEEE 802.3 CRC-32 (an FCS value, as a capture
 * reader checks it) of data[starts[i]..ends[i]), by ipsec-mb's carry-less multiply; one call for a burst.
 * Only on the ipsec-mb engine; absent on EVP.
 */
static napi_value crc32_frames(napi_env env, napi_callback_info info) {
  size_t argc = 5, n_data = 0, n_s = 0, n_e = 0, n_o = 0;
  napi_value argv[5];
  void *data = NULL, *starts = NULL, *ends = NULL, *out = NULL;
  int32_t count = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  if (argc < 5 || !get_typed(env, argv[0], napi_uint8_array, "data", &data, &n_data) || !get_typed(env, argv[1], napi_uint32_array, "starts", &starts, &n_s) ||
      !get_typed(env, argv[2], napi_uint32_array, "ends", &ends, &n_e) || !get_int(env, argv[3], &count) || !get_typed(env, argv[4], napi_uint32_array, "out", &out, &n_o)) {
    return NULL;
  }
  const uint32_t *st = starts, *en = ends;
  uint32_t *crc = out;
  if (count < 0 || (size_t)count > n_s || (size_t)count > n_e || (size_t)count > n_o) FAIL(env, "macsec_gcm: bad crc32Frames arguments");
  for (int32_t i = 0; i < count; i++) {
    if (st[i] > en[i] || en[i] > n_data) FAIL(env, "macsec_gcm: a crc32Frames range lies outside data");
  }
  for (int32_t i = 0; i < count; i++) crc[i] = IMB_CRC32_ETHERNET_FCS(imb, (const uint8_t *)data + st[i], (uint64_t)(en[i] - st[i]));
  return NULL;
}
#endif

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"createSa", NULL, create_sa, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wipe", NULL, wipe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sealBurst", NULL, seal_burst, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openBurst", NULL, open_burst, NULL, NULL, NULL, napi_enumerable, NULL},
      {"protectPacked", NULL, protect_packed, NULL, NULL, NULL, napi_enumerable, NULL},
      {"validatePacked", NULL, validate_packed, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sealBare", NULL, seal_bare, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value abi, version, engine, library;
  char name[64];
  const char *lib = OpenSSL_version(OPENSSL_VERSION);
  snprintf(name, sizeof name, "evp");
#ifdef MACSEC_IPSEC_MB
  if (use_imb()) {
    snprintf(name, sizeof name, "ipsec-mb %s", arch_name(imb_arch));
    lib = "intel-ipsec-mb " IMB_VERSION_STR;
  }
#endif
  if (napi_create_int32(env, ADDON_ABI, &abi) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &engine) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, lib, NAPI_AUTO_LENGTH, &library) != napi_ok) return NULL;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "abi", abi) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "openssl", version) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "engine", engine) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "library", library) != napi_ok) return NULL;
#ifdef MACSEC_IPSEC_MB
  if (imb != NULL) {
    napi_property_descriptor crc = {"crc32Frames", NULL, crc32_frames, NULL, NULL, NULL, napi_enumerable, NULL};
    if (napi_define_properties(env, exports, 1, &crc) != napi_ok) return NULL;
  }
#endif
  return exports;
}
