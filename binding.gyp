{
  "targets": [
    {
      "target_name": "macsec_gcm",
      "sources": ["native/macsec_gcm.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
