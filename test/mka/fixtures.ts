/**
 * Five MKPDUs a Linux peer (wpa_supplicant) sent with CAK 00112233…eeff and a 24-octet CKN: the one
 * whole-MKPDU evidence from a second implementation (the MACsec_Lab frames in vectors.json are synthetic).
 * Basic Parameter Set only, MKA version 1. Transcribed from sarnovsky/macsec tests/test_mka_frames.c
 * (macsec_test_mka_frames_linux_basic_icv), commit ef4a62c5993f183f82fe063d3c1f180d001ff6c1.
 * They are not in vectors/mka/vectors.json, which is kept as delivered.
 */
export const LINUX_CAK = '00112233445566778899aabbccddeeff';
export const LINUX_CKN = '00112233445566778899aabbccddeeff0011223344556677';

export const LINUX_FRAMES: readonly { readonly mn: number; readonly frame: string }[] = [
  { mn: 1, frame: '0180c2000003dca632d16f96888e0305004801ffe034dca632d16f9600019bdefc3c298c8042829d3a80000000010080c20100112233445566778899aabbccddeeff0011223344556677f4f0a54f2ad4511011cb8ff93182d6e8' },
  { mn: 2, frame: '0180c2000003dca632d16f96888e0305004801ffe034dca632d16f9600019bdefc3c298c8042829d3a80000000020080c20100112233445566778899aabbccddeeff0011223344556677d9f640d97c6730460bb3ef07f2e27688' },
  { mn: 3, frame: '0180c2000003dca632d16f96888e0305004801ffe034dca632d16f9600019bdefc3c298c8042829d3a80000000030080c20100112233445566778899aabbccddeeff0011223344556677c7869886aceb873cea6d67ad18d21274' },
  { mn: 4, frame: '0180c2000003dca632d16f96888e0305004801ffe034dca632d16f9600019bdefc3c298c8042829d3a80000000040080c20100112233445566778899aabbccddeeff001122334455667795c5864fc73f26f12a05ab353ef268db' },
  { mn: 5, frame: '0180c2000003dca632d16f96888e0305004801ffe034dca632d16f9600019bdefc3c298c8042829d3a80000000050080c20100112233445566778899aabbccddeeff0011223344556677e2b7be739735f4142a318a040f951541' },
];
