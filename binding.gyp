{
  "variables": { "ipsec_mb%": "<!(node -p \"process.env.MACSEC_SIM_BUILD_IPSEC_MB || '0'\")" },
  "targets": [
    {
      "target_name": "macsec_gcm",
      "sources": ["native/macsec_gcm.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["ipsec_mb==1", { "defines": ["MACSEC_IPSEC_MB"], "libraries": ["-lIPSec_MB"] }]
      ]
    }
  ]
}
