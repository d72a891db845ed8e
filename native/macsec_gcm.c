/*
 * macsec_gcm: the `native` backend of macsec-sim. AES-GCM over OpenSSL's EVP interface, one context
 * pair per SA (the key schedule made once), re-initialised with only the IV per frame, and one call
 * from JavaScript per burst of frames, encrypting/decrypting in place in the caller's buffer.
 *
 * Plain C over node_api.h (no node-addon-api). The OpenSSL symbols resolve from the node binary, which
 * exports them, so there is no -lcrypto; the headers are Node's own (<prefix>/include/node/openssl).
 * Context-aware (NAPI_MODULE_INIT), so worker threads load it too, each with its own SA handles.
 *
 * The burst descriptor layout is src/crypto/engine.ts's: 8 int32 words per frame, namely the offsets
 * and lengths of AAD, data and ICV in the buffer, then the IV as three little-endian words.
 */
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

/* Bumped whenever a function's arguments change, so a stale build is refused rather than misused. */
#define ADDON_ABI 1

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
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
} sa_t;

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

static void sa_free(sa_t *sa) {
  /* EVP_CIPHER_CTX_free cleanses the key schedule before freeing it. */
  EVP_CIPHER_CTX_free(sa->enc);
  EVP_CIPHER_CTX_free(sa->dec);
  sa->enc = NULL;
  sa->dec = NULL;
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
  if ((*out)->enc == NULL) {
    napi_throw_error(env, NULL, "macsec_gcm: the SA was wiped");
    return 0;
  }
  return 1;
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

/* GCM-encrypts data in place and writes the tag; 1 on success. */
static int seal_one(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *aad, int aad_len, uint8_t *data, int data_len, uint8_t *tag) {
  int n = 0;
  uint8_t scratch[16];
  if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return 0;
  if (aad_len > 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad, aad_len) != 1) return 0;
  if (data_len > 0 && EVP_EncryptUpdate(ctx, data, &n, data, data_len) != 1) return 0;
  if (EVP_EncryptFinal_ex(ctx, scratch, &n) != 1) return 0;
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
}

/*
 * GCM-decrypts data in place and checks the tag (OpenSSL compares in constant time). 1 when it verified,
 * 0 when not, -1 on an OpenSSL error. OpenSSL decrypts before it can verify, so a frame that fails has its
 * ciphertext put back (CTR is its own inverse): the caller's buffer changes only when the tag verified.
 */
static int open_one(sa_t *sa, const uint8_t *iv, const uint8_t *aad, int aad_len, uint8_t *data, int data_len, const uint8_t *tag) {
  int n = 0;
  uint8_t scratch[16];
  uint8_t expected[TAG_LEN];
  EVP_CIPHER_CTX *ctx = sa->dec;
  memcpy(expected, tag, TAG_LEN);
  if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return -1;
  if (aad_len > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad, aad_len) != 1) return -1;
  if (data_len > 0 && EVP_DecryptUpdate(ctx, data, &n, data, data_len) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, expected) != 1) return -1;
  if (EVP_DecryptFinal_ex(ctx, scratch, &n) == 1) return 1;
  if (data_len > 0) {
    if (EVP_EncryptInit_ex(sa->enc, NULL, NULL, NULL, iv) != 1) return -1;
    if (EVP_EncryptUpdate(sa->enc, data, &n, data, data_len) != 1) return -1;
  }
  return 0;
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

/* createSa(key: Uint8Array of 16 or 32 octets) -> SA handle */
static napi_value create_sa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "macsec_gcm: bad call");
  uint8_t *key = NULL;
  size_t key_len = 0;
  if (argc < 1 || !get_bytes(env, argv[0], &key, &key_len)) return NULL;
  const EVP_CIPHER *cipher = key_len == 16 ? EVP_aes_128_gcm() : key_len == 32 ? EVP_aes_256_gcm() : NULL;
  if (cipher == NULL) FAIL(env, "macsec_gcm: the key must be 16 or 32 octets");
  sa_t *sa = OPENSSL_zalloc(sizeof *sa);
  if (sa == NULL) FAIL(env, "macsec_gcm: out of memory");
  sa->enc = EVP_CIPHER_CTX_new();
  sa->dec = EVP_CIPHER_CTX_new();
  if (sa->enc == NULL || sa->dec == NULL || EVP_EncryptInit_ex(sa->enc, cipher, NULL, key, NULL) != 1 ||
      EVP_DecryptInit_ex(sa->dec, cipher, NULL, key, NULL) != 1) {
    sa_free(sa);
    OPENSSL_free(sa);
    FAIL(env, "macsec_gcm: OpenSSL could not set up AES-GCM");
  }
  napi_value handle;
  if (napi_create_external(env, sa, sa_finalize, NULL, &handle) != napi_ok) {
    sa_free(sa);
    OPENSSL_free(sa);
    FAIL(env, "macsec_gcm: could not create the SA handle");
  }
  return handle;
}

/* wipe(sa): frees the contexts (and with them the key schedule) now rather than at garbage collection. */
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
  if (!seal_one(a.sa->enc, a.iv, a.buf + a.aad_off, a.aad_len, a.buf + a.data_off, a.data_len, a.buf + a.tag_off)) {
    FAIL(env, "macsec_gcm: OpenSSL failed to encrypt");
  }
  return NULL;
}

/* open(sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff) -> boolean */
static napi_value open_frame(napi_env env, napi_callback_info info) {
  frame_args a;
  if (!frame_arguments(env, info, &a)) return NULL;
  int r = open_one(a.sa, a.iv, a.buf + a.aad_off, a.aad_len, a.buf + a.data_off, a.data_len, a.buf + a.tag_off);
  if (r < 0) FAIL(env, "macsec_gcm: OpenSSL failed to decrypt");
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
    if (!seal_one(sa->enc, iv, buf + w[D_AAD_OFF], w[D_AAD_LEN], buf + w[D_DATA_OFF], w[D_DATA_LEN], buf + w[D_TAG_OFF])) {
      FAIL(env, "macsec_gcm: OpenSSL failed to encrypt");
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
    if (r < 0) FAIL(env, "macsec_gcm: OpenSSL failed to decrypt");
    results[f] = (uint8_t)r;
    verified += r;
  }
  napi_value out;
  CHECK(env, napi_create_int32(env, verified, &out), "macsec_gcm: napi_create_int32");
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"createSa", NULL, create_sa, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wipe", NULL, wipe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_frame, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sealBurst", NULL, seal_burst, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openBurst", NULL, open_burst, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value abi, version;
  if (napi_create_int32(env, ADDON_ABI, &abi) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version) != napi_ok) return NULL;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "abi", abi) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "openssl", version) != napi_ok) return NULL;
  return exports;
}
