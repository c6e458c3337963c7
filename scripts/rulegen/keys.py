"""Spec of rules/keys.toml: private keys in every container. The hand-written PEM/OpenSSH/PGP/PuTTY/
age/WireGuard/JWT rules are read back from scripts/rulegen/hand/keys.toml and re-emitted; this spec adds SSH2 (ssh.com) keys,
the other PEM key types, unarmored DER and base64-wrapped PEM keys, .NET XML RSA keys, JWK private
and symmetric keys, age plugin identities, WireGuard keys by context, Tor onion service keys,
minisign / signify / cosign secret keys, OpenVPN static keys, and crypto-wallet secrets (BIP-32
extended private keys, BIP-39 mnemonics, Ethereum / Bitcoin WIF / Solana / Tezos / Cardano / Stellar
keys, Nostr nsec).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

JSON-escaped (`\\n`) and percent-encoded forms need no rules of their own: leakless unescapes such text
and rescans it. Java keystores and PKCS#12 files are binary (their passwords are in credentials.toml).
Run:  python3 scripts/rulegen/regen.py
"""

import base64
import os

from ckd_common import *  # noqa: F401,F403
from ckd_common import emit, existing_rules, with_allow

reseed(0x6E75)

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def wrap(s, n=64):
    return "\n".join(s[i:i + n] for i in range(0, len(s), n))


def rb64(nbytes):
    return base64.b64encode(bytes(rulegen._R.getrandbits(8) for _ in range(nbytes))).decode()


def b64_prefix(text):
    """The base64 characters of `text` that do not depend on what follows it."""
    enc = base64.b64encode(text.encode()).decode()
    return enc[: (len(text) // 3) * 4]


NEW = []


def add(r, *allow):
    if allow:
        with_allow(r, *allow)
    NEW.append(r)
    return r


# ------------------------------------------------------------------------------- armoured keys
ssh2_body = wrap("P2/56wAAA" + rb64(900)[9:], 70)
add(rule("ssh2-private-key", "ssh", "SSH2 (ssh.com / Tectia) private key, usually passphrase-encrypted",
         r"""(---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\s{0,4}(?:[A-Za-z][\w\-]{0,40}:[^\r\n]{0,200}\r?\n\s{0,4}){0,8}[A-Za-z0-9+/=][A-Za-z0-9+/=\s]{127,6000}---- END SSH2 ENCRYPTED PRIVATE KEY ----)""",
         ["begin ssh2 encrypted private key"],
         [f"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"rsa-key-20240101\"\n{ssh2_body}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
          f"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n{wrap('P2/56wAAA' + rb64(600)[9:], 70)}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----"],
         ["---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n...\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
          f"---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"k\"\n{wrap(rb64(270), 70)}\n---- END SSH2 PUBLIC KEY ----",
          "convert with: ssh-keygen -i -f key (file starts with ---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----)"],
         severity="high", window=16384, env_var="SSH_PRIVATE_KEY"))

OTHER_TYPES = (r"ED25519|ED448|X25519|X448|SM2|DH|ECDSA|ANY|TSS2|ML-DSA-(?:44|65|87)|ML-KEM-(?:512|768|1024)|"
               r"SLH-DSA-[A-Z0-9\-]{1,24}|NEBULA (?:ED25519|X25519|P256|ECDSA P256)")


def pem(label, nbytes, indent=""):
    body = wrap(rb64(nbytes))
    text = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"
    return "\n".join(indent + line for line in text.split("\n"))


add(rule("pem-private-key-other-type", "private-key", "PEM private key of another type (Ed25519, X25519, SM2, DH, ML-DSA, TSS2, Nebula, ...)",
         r"""(-----BEGIN (?:""" + OTHER_TYPES + r""") PRIVATE KEY-----\s{0,16}[A-Za-z0-9+/=][A-Za-z0-9+/=\s]{39,7000}-----END (?:""" + OTHER_TYPES + r""") PRIVATE KEY-----)""",
         ["private key-----"],
         [pem("ED25519 PRIVATE KEY", 64), pem("NEBULA X25519 PRIVATE KEY", 32), pem("SM2 PRIVATE KEY", 121, "    "),
          pem("TSS2 PRIVATE KEY", 600)],
         ["-----BEGIN ED25519 PRIVATE KEY-----\n...\n-----END ED25519 PRIVATE KEY-----",
          pem("NEBULA ED25519 PUBLIC KEY", 32), pem("RSA PUBLIC KEY", 270),
          "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAw\n-----END ED25519 PRIVATE KEY-----"],
         severity="critical", window=16384, env_var="PRIVATE_KEY", secret_group=1))
add(rule("pgp-secret-key-block-legacy", "pgp", "ASCII-armored PGP 2.x secret key block (BEGIN PGP SECRET KEY BLOCK)",
         r"""(-----BEGIN PGP SECRET KEY BLOCK-----\s{0,4}(?:[A-Za-z][A-Za-z0-9\-]{0,40}:[^\r\n]{0,200}\r?\n\s{0,4}){0,8}[A-Za-z0-9+/=][A-Za-z0-9+/=\s]{63,6000}-----END PGP SECRET KEY BLOCK-----)""",
         ["begin pgp secret key block"],
         [f"-----BEGIN PGP SECRET KEY BLOCK-----\nVersion: 2.6.3i\n\n{wrap(rb64(900))}\n=" + rb64(3) + "\n-----END PGP SECRET KEY BLOCK-----"],
         ["-----BEGIN PGP SECRET KEY BLOCK-----\n...\n-----END PGP SECRET KEY BLOCK-----",
          f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{wrap(rb64(600))}\n-----END PGP PUBLIC KEY BLOCK-----",
          "gpg --export-secret-keys --armor > key.asc  # BEGIN PGP SECRET KEY BLOCK"],
         severity="critical", window=32768, env_var="GPG_PRIVATE_KEY"))
add(rule("cosign-private-key", "sigstore", "Sigstore cosign / encrypted Sigstore private key (encrypted; its password is often beside it)",
         r"""(-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----\s{0,4}[A-Za-z0-9+/=][A-Za-z0-9+/=\s]{63,3000}-----END ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----)""",
         ["begin encrypted sigstore private key", "begin encrypted cosign private key"],
         [pem("ENCRYPTED SIGSTORE PRIVATE KEY", 500), pem("ENCRYPTED COSIGN PRIVATE KEY", 500, "  ")],
         ["-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n...\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----",
          pem("PUBLIC KEY", 91), "cosign generate-key-pair writes cosign.key (ENCRYPTED SIGSTORE PRIVATE KEY)"],
         severity="medium", window=16384, env_var="COSIGN_PRIVATE_KEY",
         rotate="https://docs.sigstore.dev/cosign/key_management/overview/"))
ovpn_hex = "\n".join(hexs(32) for _ in range(16))
add(rule("openvpn-static-key", "openvpn", "OpenVPN static key (tls-auth / tls-crypt / secret)",
         r"""(-----BEGIN OpenVPN Static key V1-----\s{0,4}(?:[0-9a-fA-F]{32}\s{1,4}){16}-----END OpenVPN Static key V1-----)""",
         ["begin openvpn static key"],
         [f"#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n{ovpn_hex}\n-----END OpenVPN Static key V1-----",
          "<tls-crypt>\n-----BEGIN OpenVPN Static key V1-----\n" + "\n".join(hexs(32) for _ in range(16)) + "\n-----END OpenVPN Static key V1-----\n</tls-crypt>"],
         ["-----BEGIN OpenVPN Static key V1-----\n...\n-----END OpenVPN Static key V1-----",
          "openvpn --genkey secret ta.key  # writes -----BEGIN OpenVPN Static key V1-----",
          "-----BEGIN OpenVPN Static key V1-----\n" + "\n".join("0" * 32 for _ in range(16)) + "\n-----END OpenVPN Static key V1-----"],
         severity="critical", entropy=3.0, window=4096, env_var="OPENVPN_TA_KEY"))
add(rule("openvpn-tls-crypt-v2-client-key", "openvpn", "OpenVPN tls-crypt-v2 client / server key",
         r"""(-----BEGIN OpenVPN tls-crypt-v2 (?:client|server) key-----\s{0,4}[A-Za-z0-9+/=][A-Za-z0-9+/=\s]{63,3000}-----END OpenVPN tls-crypt-v2 (?:client|server) key-----)""",
         ["begin openvpn tls-crypt-v2"],
         [pem("OpenVPN tls-crypt-v2 client key", 600), pem("OpenVPN tls-crypt-v2 server key", 128)],
         ["-----BEGIN OpenVPN tls-crypt-v2 client key-----\n...\n-----END OpenVPN tls-crypt-v2 client key-----",
          "openvpn --genkey tls-crypt-v2-client client.key", pem("CERTIFICATE", 600)],
         severity="critical", window=16384, env_var="OPENVPN_TLS_CRYPT_V2_KEY"))

# ------------------------------------------------------------------------ unarmoured / wrapped
def der(head_hex, nrand, tail_hex="", nrand2=0):
    raw = bytes.fromhex(head_hex) + bytes(rulegen._R.getrandbits(8) for _ in range(nrand))
    raw += bytes.fromhex(tail_hex) + bytes(rulegen._R.getrandbits(8) for _ in range(nrand2))
    return base64.b64encode(raw).decode()


# One alternative per DER shape, each with the body length its key size gives (RSA up to 4096 bits): PKCS#8 RSA,
# PKCS#1 RSA (2048/3072/4096), PKCS#8 EC P-256 and P-384, PKCS#8 Ed25519, SEC1 EC P-256. A PEM body wrapped at 64
# characters never has the run an RSA or EC alternative needs.
DER_ALTS = [
    r"MII[A-Za-z0-9+/]{1,3}IBADANBgkqhkiG9w0BAQEFAASC[A-Za-z0-9+/]{600,3300}",
    r"MII[A-Za-z0-9+/]{1,3}IBAAKC(?:AQEA|AYEA|AgEA)[A-Za-z0-9+/]{600,3300}",
    r"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg[A-Za-z0-9+/]{100,140}",
    r"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDA[A-Za-z0-9+/]{150,220}",
    r"MC4CAQAwBQYDK2VwBCIEI[A-Za-z0-9+/]{43}",
    r"MHcCAQEEI[A-Za-z0-9+/]{43}oAoGCCqGSM49AwEHoUQDQgAE[A-Za-z0-9+/]{80,90}",
]
DER_KEYWORDS = ["IBADANBgkqhkiG9w0BAQEFAASC", "IBAAKCAQEA", "IBAAKCAYEA", "IBAAKCAgEA", "MIGHAgEAMBMGByqGSM49AgEG",
                "MIG2AgEAMBAGByqGSM49AgEG", "MC4CAQAwBQYDK2VwBCIEI", "oAoGCCqGSM49AwEHoUQDQgAE"]
add(rule("der-base64-private-key", "private-key", "Unarmoured private key: base64 of a PKCS#8 / PKCS#1 / SEC1 DER key on one line (an env var or JSON value)",
         r"""\b((?:""" + "|".join(DER_ALTS) + r""")={0,2})(?:[^A-Za-z0-9+/=]|$)""",
         DER_KEYWORDS,
         ["SIGNING_KEY=" + der("308204bd020100300d06092a864886f70d0101010500048204a7", 1191),
          "\"privateKey\": \"" + der("308204a40201000282010100", 1180) + "\"",
          "JWT_PRIVATE_KEY=" + der("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420", 32, "a14403420004", 64),
          "ED25519_KEY=" + der("302e020100300506032b657004220420", 32),
          "EC_KEY=" + der("30770201010420", 32, "a00a06082a8648ce3d030107a14403420004", 64)],
         ["-----BEGIN PRIVATE KEY-----\n" + wrap(der("308204bd020100300d06092a864886f70d0101010500048204a7", 1191)) + "\n-----END PRIVATE KEY-----",
          "-----BEGIN EC PRIVATE KEY-----\n" + wrap(der("30770201010420", 32, "a00a06082a8648ce3d030107a14403420004", 64)) + "\n-----END EC PRIVATE KEY-----",
          "PUBLIC_KEY=" + der("30820122300d06092a864886f70d01010105000382010f003082010a0282010100", 270),
          "key = MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...",
          "MC4CAQAwBQYDK2VwBCIEI"],
         severity="critical", entropy=4.5, env_var="PRIVATE_KEY"))

PEM_TYPES = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY",
             "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"]
B64_PEM = "|".join(sorted({b64_prefix("-----BEGIN " + t + "-----") for t in PEM_TYPES}, key=lambda p: (-len(p), p)))


def b64pem(label, nbytes):
    return base64.b64encode(pem(label, nbytes).encode() + b"\n").decode()


add(rule("base64-pem-private-key", "private-key", "Base64 of a whole PEM private key (Kubernetes Secret data, CI variables, Helm values)",
         r"""\b((?:""" + B64_PEM + r""")[A-Za-z0-9+/]{200,4600}={0,2})(?:[^A-Za-z0-9+/=]|$)""",
         sorted({p.lower() for p in B64_PEM.split("|")}),
         [f"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n  tls.key: {b64pem('RSA PRIVATE KEY', 600)}",
          f"SSH_PRIVATE_KEY_B64={b64pem('OPENSSH PRIVATE KEY', 400)}",
          f"\"signingKey\": \"{b64pem('PRIVATE KEY', 300)}\""],
         ["tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURkekNDQWwrZ0F3SUJBZ0lFSS8wdkhsckIzODhXMzV6ZUk4dllk",
          "tls.key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=",
          "client-key-data: " + b64pem("RSA PRIVATE KEY", 300),
          "tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t..."],
         severity="critical", entropy=4.5, env_var="PRIVATE_KEY_BASE64"),
    {"description": "kubeconfig client-key-data has its own rule (credentials.toml)", "regexTarget": "line",
     "regexes": [r"client-key-data"]})
xml_key = ("<RSAKeyValue><Modulus>" + rb64(256) + "</Modulus><Exponent>AQAB</Exponent><P>" + rb64(128) + "</P><Q>" + rb64(128)
           + "</Q><DP>" + rb64(128) + "</DP><DQ>" + rb64(128) + "</DQ><InverseQ>" + rb64(128) + "</InverseQ><D>" + rb64(256)
           + "</D></RSAKeyValue>")
add(rule("dotnet-xml-rsa-private-key", "private-key", ".NET XML RSA private key (RSAKeyValue with <D>, from RSA.ToXmlString(true))",
         r"""(?s)<RSAKeyValue>\s{0,8}<Modulus>[A-Za-z0-9+/=\s]{40,1400}</Modulus>.{0,4000}?<D>([A-Za-z0-9+/=\s]{40,1400})</D>""",
         ["<rsakeyvalue>"], [xml_key, "var key = @\"" + xml_key.replace("><", ">\n  <") + "\";"],
         ["<RSAKeyValue><Modulus>" + rb64(256) + "</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
          "<RSAKeyValue><Modulus>...</Modulus><Exponent>AQAB</Exponent><D>...</D></RSAKeyValue>",
          "rsa.ToXmlString(true) // returns <RSAKeyValue> with <D>"],
         severity="critical", entropy=4.0, window=16384, env_var="RSA_PRIVATE_KEY_XML"))


# --------------------------------------------------------------------------------------- JWK
def jwk_rsa(sort=False):
    n, d = b64url(342), b64url(342)
    parts = {"kty": "RSA", "kid": b62(10), "use": "sig", "n": n, "e": "AQAB", "d": d, "p": b64url(171),
             "q": b64url(171), "dp": b64url(171), "dq": b64url(171), "qi": b64url(171)}
    keys = sorted(parts) if sort else list(parts)
    return "{" + ", ".join(f"\"{k}\": \"{parts[k]}\"" for k in keys) + "}"


def jwk_ec(kty="EC", crv="P-256", sort=False):
    parts = {"kty": kty, "crv": crv, "x": b64url(43), "d": b64url(43)}
    if kty == "EC":
        parts["y"] = b64url(43)
    keys = sorted(parts) if sort else list(parts)
    return "{" + ",".join(f"\"{k}\":\"{parts[k]}\"" for k in keys) + "}"


JWK_KTY = r""""kty"\s{0,4}:\s{0,4}"(?:RSA|EC|OKP)\""""
JWK_D = r""""d"\s{0,4}:\s{0,4}"([A-Za-z0-9_\-]{40,700})\""""
JWK_NEG = ["{\"kty\": \"RSA\", \"n\": \"" + b64url(342) + "\", \"e\": \"AQAB\"}",
           "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64url(43) + "\",\"y\":\"" + b64url(43) + "\"}",
           "{\"kty\": \"RSA\", \"d\": \"...\"}", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"<private>\"}"]
add(rule("jwk-private-key", "jwk", "JSON Web Key private key (kty RSA/EC/OKP with the private member \"d\")",
         JWK_KTY + r"""[^{}]{0,4000}?""" + JWK_D, ["\"kty\""],
         [jwk_rsa(), jwk_ec(), jwk_ec("OKP", "Ed25519"), "{\"keys\": [" + jwk_ec("EC", "P-384") + "]}"],
         JWK_NEG, severity="critical", entropy=4.0, window=8192, env_var="JWK_PRIVATE_KEY"))
add(rule("jwk-private-key-d-first", "jwk", "JSON Web Key private key serialized with sorted members (\"d\" before \"kty\")",
         JWK_D + r"""[^{}]{0,4000}?""" + JWK_KTY, ["\"kty\""],
         [jwk_rsa(sort=True), jwk_ec(sort=True), jwk_ec("OKP", "X25519", sort=True)],
         JWK_NEG + ["{\"d\": \"" + b64url(43) + "\"}"], severity="critical", entropy=4.0, window=8192,
         env_var="JWK_PRIVATE_KEY"))
JWK_OCT = r""""kty"\s{0,4}:\s{0,4}"oct\""""
JWK_K = r""""k"\s{0,4}:\s{0,4}"([A-Za-z0-9_\-]{22,700})\""""
add(rule("jwk-symmetric-key", "jwk", "JSON Web Key symmetric key (kty oct with its secret \"k\")",
         JWK_OCT + r"""[^{}]{0,2000}?""" + JWK_K, ["\"oct\""],
         ["{\"kty\":\"oct\",\"kid\":\"hmac-1\",\"alg\":\"HS256\",\"k\":\"" + b64url(43) + "\"}",
          "{\"kty\": \"oct\", \"k\": \"" + b64url(22) + "\", \"alg\": \"A128KW\"}"],
         ["{\"kty\":\"oct\",\"k\":\"\"}", "{\"kty\":\"oct\",\"k\":\"<secret>\"}", "{\"kty\":\"oct\",\"kid\":\"x\"}"],
         severity="critical", entropy=3.5, window=4096, env_var="JWK_SECRET"))
add(rule("jwk-symmetric-key-k-first", "jwk", "JSON Web Key symmetric key serialized with sorted members (\"k\" before \"kty\")",
         JWK_K + r"""[^{}]{0,2000}?""" + JWK_OCT, ["\"oct\""],
         ["{\"alg\":\"HS512\",\"k\":\"" + b64url(86) + "\",\"kid\":\"k1\",\"kty\":\"oct\"}",
          "{\"k\": \"" + b64url(43) + "\", \"kty\": \"oct\"}"],
         ["{\"k\":\"\",\"kty\":\"oct\"}", "{\"k\":\"<secret>\",\"kty\":\"oct\"}", "{\"k\": \"" + b64url(43) + "\", \"kty\": \"EC\"}"],
         severity="critical", entropy=3.5, window=4096, env_var="JWK_SECRET"))

# ------------------------------------------------------------------------- age, WireGuard, Tor
add(rule("age-plugin-identity", "age", "age plugin identity (AGE-PLUGIN-<NAME>-1...: YubiKey, TPM, Secure Enclave handles)",
         r"""\b(AGE-PLUGIN-[A-Z0-9]{1,32}-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{20,512})\b""", ["age-plugin-"],
         ["#       Serial: 15512345, Slot: 1\nAGE-PLUGIN-YUBIKEY-1" + rand(BECH32.upper(), 52),
          "AGE_IDENTITY=AGE-PLUGIN-TPM-1" + rand(BECH32.upper(), 110), "AGE-PLUGIN-SE-1" + rand(BECH32.upper(), 160)],
         ["AGE-PLUGIN-YUBIKEY-1...", "age-plugin-yubikey --identity", "AGE-PLUGIN-YUBIKEY-1QQQQ"],
         severity="medium", entropy=3.5, env_var="AGE_IDENTITY"))
WG_VALUE = r"""[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]="""
add(rule("wireguard-private-key-context", "wireguard", "WireGuard private key beside a wireguard/wg key name (env, YAML, JSON, Terraform)",
         r"""(?i:wireguard[\w.\-]{0,30}(?::\s{0,4}\r?\n\s{1,12})?|\bwg[_.\-]?)(?i:priv(?:ate)?[_.\-]?key)[\w.\-]{0,10}["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?(""" + WG_VALUE + r""")(?:[^A-Za-z0-9+/=]|$)""",
         ["wireguard", "wg_priv", "wg-priv", "wg.priv", "wgpriv"],
         [f"WG_PRIVATE_KEY={rb64(32)}", f"wireguard:\n  private_key: \"{rb64(32)}\"", f"  \"wgPrivateKey\": \"{rb64(32)}\","],
         ["WG_PRIVATE_KEY=${WG_PRIVATE_KEY}", "wireguard_private_key: <key>", f"WG_PUBLIC_KEY={rb64(32)}",
          "wg_private_key = wg.genkey()"],
         severity="high", confidence="medium", entropy=4.0, env_var="WG_PRIVATE_KEY"))
add(rule("tor-onion-service-v3-key", "tor", "Tor onion service v3 private key in control-port form (ED25519-V3:...)",
         r"""\b(ED25519-V3:[A-Za-z0-9+/]{86}==)""", ["ed25519-v3:"],
         [f"ADD_ONION ED25519-V3:{rb64(64)} Port=80,127.0.0.1:8080", f"TOR_HS_KEY=\"ED25519-V3:{rb64(64)}\""],
         ["ADD_ONION NEW:ED25519-V3 Port=80", "key_type = 'ED25519-V3'", "ED25519-V3:..."],
         severity="critical", entropy=4.5, env_var="TOR_ONION_KEY"))
add(rule("tor-onion-service-secret-key-file", "tor", "A committed Tor onion service secret key file (hs_ed25519_secret_key)",
         None, ["hs_ed25519_secret_key"], ["hidden_service/hs_ed25519_secret_key", "tor/hs/site/hs_ed25519_secret_key"],
         ["hidden_service/hs_ed25519_public_key", "docs/hs_ed25519_secret_key.md", "hidden_service/hostname"],
         severity="critical", path=r"(?:^|/)hs_ed25519_secret_key$", env_var=None))

# ------------------------------------------------------------------------- signing tools
mini = "RWRTY0Iy" + rb64(158)[8:]
add(rule("minisign-secret-key", "minisign", "minisign secret key (untrusted comment: minisign ... secret key)",
         r"""untrusted comment: minisign (?:encrypted )?secret key\r?\n(RW[A-Za-z0-9+/]{150,300}={0,2})""",
         ["minisign encrypted secret key", "minisign secret key"],
         [f"untrusted comment: minisign encrypted secret key\n{mini}",
          f"MINISIGN_SECRET_KEY: |\n  untrusted comment: minisign encrypted secret key\n  RWRTY0Iy{rb64(158)[8:]}".replace("\n  R", "\nR")],
         ["untrusted comment: minisign public key 3F5E9A1C2B4D6E8F\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
          "untrusted comment: minisign encrypted secret key\n...", "minisign -G writes ~/.minisign/minisign.key (minisign encrypted secret key)"],
         severity="critical", entropy=4.5, env_var="MINISIGN_SECRET_KEY"))
sig = "RWRCSwAAA" + rb64(104)[9:]
add(rule("signify-secret-key", "signify", "OpenBSD signify secret key (untrusted comment: signify secret key)",
         r"""untrusted comment: [^\r\n]{0,80}secret key\r?\n(RWRCSw[A-Za-z0-9+/]{100,200}={0,2})""",
         ["untrusted comment:"],
         [f"untrusted comment: signify secret key\n{sig}", f"untrusted comment: release 7.5 secret key\nRWRCSwAAA{rb64(104)[9:]}"],
         ["untrusted comment: signify public key\nRWQnkN5sxbnZ9f8Hp0ph3JxA1Xbf5MmTEdo/u5a+zmDV9tNH3cUF9iY9",
          "untrusted comment: signify secret key\n...", "signify -G -p key.pub -s key.sec"],
         severity="critical", entropy=4.5, env_var="SIGNIFY_SECRET_KEY"))

# --------------------------------------------------------------------------- crypto wallets
HARDHAT_KEYS = ["ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"]
add(rule("ethereum-private-key", "crypto-wallet", "EVM (Ethereum, Polygon, BSC, ...) wallet private key beside a wallet/deployer/signer key name",
         r"""(?i:eth(?:ereum)?|evm|wallet|deployer|signer|web3|hardhat|foundry|metamask|polygon|bsc|arbitrum|optimism|avax|mnemonic|owner|relayer|operator|account)[\w.\-]{0,30}(?i:priv(?:ate)?[_.\-]?key)[\w.\-]{0,10}["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?((?:0x)?[0-9a-fA-F]{64})(?:[^0-9a-zA-Z]|$)""",
         ["privatekey", "private_key", "private-key", "privkey", "priv_key"],
         [f"DEPLOYER_PRIVATE_KEY=0x{hexs(64)}", f"  walletPrivateKey: '{hexs(64)}',", f"ETH_PRIVATE_KEY=\"{hexs(64)}\"",
          f"SIGNER_PRIVATE_KEY: 0x{hexs(64)}"],
         ["DEPLOYER_PRIVATE_KEY=${DEPLOYER_PRIVATE_KEY}", "PRIVATE_KEY=0x" + HARDHAT_KEYS[0],
          f"WALLET_PRIVATE_KEY=0x{hexs(40)}", "ETH_PRIVATE_KEY=0x" + "0" * 63 + "1",
          f"TX_HASH=0x{hexs(64)}"],
         severity="critical", confidence="medium", entropy=3.0, env_var="DEPLOYER_PRIVATE_KEY"),
    {"description": "well-known local development keys (Hardhat / Anvil default accounts)", "regexTarget": "secret",
     "regexes": ["(?i)^(?:0x)?(?:" + "|".join(HARDHAT_KEYS) + ")$"]})

WORDS = ["ability", "absorb", "acoustic", "across", "admit", "adult", "afford", "agent", "album", "alpha", "anchor", "ankle",
         "arena", "armor", "artist", "aspect", "atom", "audit", "avocado", "badge", "bamboo", "banner", "beach", "bicycle",
         "blanket", "bonus", "bracket", "brisk", "cabin", "cactus", "canal", "carbon", "casino", "cement", "chalk", "cinnamon",
         "clinic", "coconut", "comic", "coral", "cradle", "crystal", "dash", "dentist", "digital", "dolphin", "drama", "eagle"]


def mnemonic(n=12):
    return " ".join(rulegen._R.choice(WORDS) for _ in range(n))


add(rule("bip39-mnemonic", "crypto-wallet", "BIP-39 wallet seed phrase (12-24 words) beside a mnemonic/seed-phrase key name",
         r"""(?i:mnemonic|seed[_.\-\s]?phrase|recovery[_.\-\s]?phrase|secret[_.\-\s]?phrase|seed[_.\-]?words|wallet[_.\-]?seed)[\w.\-]{0,20}["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?((?:[a-z]{3,8}[ ]){11,23}[a-z]{3,8})(?:["'`\s,;]|$)""",
         ["mnemonic", "seed_phrase", "seedphrase", "seed phrase", "seed-phrase", "seed.phrase", "recovery_phrase", "recoveryphrase",
          "recovery-phrase", "recovery phrase", "secret_phrase", "secretphrase", "seed_words", "seedwords", "wallet_seed", "walletseed"],
         [f"MNEMONIC=\"{mnemonic()}\"", f"  mnemonic: '{mnemonic(24)}'", f"const seedPhrase = \"{mnemonic(12)}\";"],
         ["MNEMONIC=\"test test test test test test test test test test test junk\"",
          "mnemonic: \"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\"",
          "MNEMONIC=${MNEMONIC}", "mnemonic: 'word1 word2 word3'", "// mnemonic: the words are read from the keystore at startup"],
         severity="critical", confidence="medium", entropy=3.0, env_var="MNEMONIC"),
    {"description": "well-known test mnemonics (Hardhat/Foundry default, BIP-39 test vectors)", "regexTarget": "secret",
     "regexes": [r"^(?:test ){11}junk$", r"^(?:abandon ){11,23}(?:about|art|abandon|agent|able)$",
                 r"^(?:legal winner thank year wave sausage worth useful legal winner thank yellow|letter advice cage absurd amount doctor acoustic avoid letter advice cage above|zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong)$",
                 r"^(?:\w+ )*(?:word|words|phrase|example|your|here|mnemonic|seed)\b"]})
add(rule("bip32-extended-private-key", "crypto-wallet", "BIP-32 extended private key (xprv / tprv / yprv / zprv / uprv / vprv)",
         r"""\b([xtyzuv]prv[1-9A-HJ-NP-Za-km-z]{107})\b""", ["xprv", "tprv", "yprv", "zprv", "uprv", "vprv"],
         [f"WALLET_XPRV=xprv9s21ZrQH143K{rand(B58, 95)}", f"  \"root\": \"tprv8ZgxMBicQKsPd{rand(B58, 94)}\"",
          f"zprvAWgYBBk7JR8Gj{rand(B58, 94)}"],
         ["xprv9s21ZrQH143K...", "xpub661MyMwAqRbcF" + rand(B58, 94), "const prefix = 'xprv';"],
         severity="critical", entropy=4.5, env_var="WALLET_XPRV"),
    {"description": "BIP-32 specification test vectors", "regexTarget": "secret",
     "regexes": [r"^xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi$",
                 r"^xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U$"]})
add(rule("bitcoin-wif-private-key", "crypto-wallet", "Bitcoin WIF private key beside a bitcoin/wallet/wif key name",
         r"""(?i:bitcoin|btc[_.\-]|wallet|litecoin|ltc[_.\-]|dogecoin)[\w.\-]{0,30}(?i:priv(?:ate)?[_.\-]?key|wif|secret)[\w.\-]{0,10}["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([5][HJK][1-9A-HJ-NP-Za-km-z]{49}|[KLc][1-9A-HJ-NP-Za-km-z]{51})(?:[^1-9A-Za-z]|$)""",
         ["bitcoin", "btc_", "btc-", "btc.", "wallet", "litecoin", "ltc_", "ltc-", "ltc.", "dogecoin"],
         [f"BTC_PRIVATE_KEY=K{rand(B58, 51)}", f"wallet_wif: \"L{rand(B58, 51)}\"", f"BITCOIN_PRIVATE_KEY=5J{rand(B58, 49)}"],
         ["BTC_PRIVATE_KEY=${BTC_PRIVATE_KEY}", f"BTC_ADDRESS=1{rand(B58, 33)}", "wallet_wif: <wif>"],
         severity="critical", confidence="medium", entropy=4.0, env_var="BTC_PRIVATE_KEY"))
add(rule("nostr-nsec", "nostr", "Nostr private key (nsec1..., bech32)", r"""\b(nsec1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58})\b""",
         ["nsec1"], [f"NOSTR_NSEC=nsec1{rand(BECH32, 58)}", f"  \"privateKey\": \"nsec1{rand(BECH32, 58)}\""],
         ["NOSTR_NSEC=nsec1...", f"npub1{rand(BECH32, 58)}", f"nsec1{rand(BECH32, 20)}"],
         severity="critical", entropy=4.0, env_var="NOSTR_NSEC"))
SOL_ARRAY = r"""\[\s{0,4}(?:[0-9]{1,3}\s{0,4},\s{0,4}){63}[0-9]{1,3}\s{0,4}\]"""


def sol_array():
    return "[" + ",".join(str(rulegen._R.randrange(256)) for _ in range(64)) + "]"


add(rule("solana-keypair-json", "crypto-wallet", "Solana keypair (64-byte JSON array, as in id.json) beside a solana/keypair key name",
         r"""(?i:solana|keypair|secret[_\-]?key|sol[_\-]?wallet|payer|wallet)[\w.\-]{0,30}["'`]?\s{0,3}(?:=|:=|=>|:|\()\s{0,3}["'`]?(?:Uint8Array\.from\(\s{0,2})?(""" + SOL_ARRAY + r""")""",
         ["solana", "keypair", "secretkey", "secret_key", "secret-key"],
         [f"SOLANA_KEYPAIR={sol_array()}", f"const payer = Keypair.fromSecretKey(Uint8Array.from({sol_array()}));",
          f"  \"secretKey\": {sol_array()}"],
         ["SOLANA_KEYPAIR=${SOLANA_KEYPAIR}", "const payer = Keypair.generate();",
          "const data = [" + ",".join(["0"] * 64) + "];", "weights = [1,2,3]"],
         severity="critical", confidence="medium", entropy=2.5, env_var="SOLANA_KEYPAIR"))
add(rule("solana-private-key-base58", "crypto-wallet", "Solana private key (base58 of the 64-byte keypair) beside a solana/wallet key name",
         r"""(?i:solana|sol|phantom|wallet|payer)[\w.\-]{0,30}(?i:priv(?:ate)?[_.\-]?key|secret[_.\-]?key)[\w.\-]{0,10}["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([1-9A-HJ-NP-Za-km-z]{86,88})(?:[^1-9A-Za-z]|$)""",
         ["solana", "phantom", "wallet"],
         [f"SOLANA_PRIVATE_KEY={rand(B58, 88)}", f"  walletSecretKey: \"{rand(B58, 87)}\"", f"PHANTOM_WALLET_PRIVATE_KEY='{rand(B58, 88)}'"],
         ["SOLANA_PRIVATE_KEY=${SOLANA_PRIVATE_KEY}", f"SOLANA_PUBLIC_KEY={rand(B58, 44)}", "wallet_private_key: <base58>"],
         severity="critical", confidence="medium", entropy=4.5, env_var="SOLANA_PRIVATE_KEY"))
add(rule("tezos-secret-key", "crypto-wallet", "Tezos secret key (edsk / spsk / p2sk, base58check)",
         r"""\b((?:edsk|spsk|p2sk)[1-9A-HJ-NP-Za-km-z]{50}(?:[1-9A-HJ-NP-Za-km-z]{44})?|edesk[1-9A-HJ-NP-Za-km-z]{83})\b""",
         ["edsk", "spsk", "p2sk", "edesk"],
         [f"TEZOS_SECRET_KEY=edsk{rand(B58, 50)}", f"  \"secret_key\": \"edsk{rand(B58, 94)}\"", f"signer: spsk{rand(B58, 50)}"],
         ["TEZOS_SECRET_KEY=edsk...", f"edpk{rand(B58, 50)}", f"tz1{rand(B58, 33)}"],
         severity="critical", entropy=4.0, env_var="TEZOS_SECRET_KEY"))
add(rule("cardano-signing-key-bech32", "crypto-wallet", "Cardano bech32 signing / extended private key (ed25519_sk1, ed25519e_sk1, root_xsk1, acct_xsk1, addr_xsk1, stake_xsk1, policy_sk1)",
         r"""\b((?:ed25519e?_sk|ed25519_bip32_sk|root_xsk|acct_xsk|addr_xsk|stake_xsk|addr_sk|stake_sk|policy_sk|drep_sk|cc_cold_sk|cc_hot_sk)1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{50,300})\b""",
         ["_sk1", "_xsk1"],
         [f"CARDANO_SIGNING_KEY=ed25519e_sk1{rand(BECH32, 150)}", f"root_xsk1{rand(BECH32, 220)}", f"  \"skey\": \"addr_xsk1{rand(BECH32, 220)}\""],
         ["addr_vk1" + rand(BECH32, 52), "ed25519_sk1...", f"addr1{rand(BECH32, 98)}"],
         severity="critical", entropy=4.0, env_var="CARDANO_SIGNING_KEY"))
add(rule("stellar-secret-seed", "crypto-wallet", "Stellar secret seed (S + 55 base32, StrKey) beside a stellar/secret key name",
         r"""(?i:stellar|soroban)[\w.\-]{0,30}["'`]?\s{0,3}(?:=|:=|=>|:|\()\s{0,3}["'`]?(S[A-D][A-Z2-7]{54})(?:[^A-Z2-7]|$)""",
         ["stellar", "soroban"],
         [f"STELLAR_SECRET_KEY=SB{rand(B32, 54)}", f"const keypair = StellarSdk.Keypair.fromSecret('SC{rand(B32, 54)}');",
          f"  soroban_secret: \"SA{rand(B32, 54)}\""],
         ["STELLAR_SECRET_KEY=${STELLAR_SECRET}", f"STELLAR_PUBLIC_KEY=G{rand(B32, 55)}", "stellar secret: S...",
          f"secret = SB{rand(B32, 30)}"],
         severity="critical", confidence="medium", entropy=4.0, env_var="STELLAR_SECRET_KEY"))

# --------------------------------------------------------------------- the hand-written rules
# PuTTY: the hand-written rule keeps unencrypted keys; passphrase-protected ones get their own, lower-severity rule
# (as PEM's encrypted-private-key), with the encrypted examples moved over.
PUTTY_ANY = "Encryption:[^\\r\\n]*"
PUTTY_NONE = "Encryption:[ \\t]*none[ \\t]*"
PUTTY_ENC = "Encryption:[ \\t]*(?:aes256-cbc|aes128-cbc|3des-cbc|aes256-ctr)[ \\t]*"
_old_putty = [r for r in existing_rules("keys") if r["id"] == "putty-private-key"][0]
_putty_regex = _old_putty["regex"].replace(PUTTY_NONE, PUTTY_ANY)
_enc_examples = [e for e in _old_putty["examples"] if "Encryption: none" not in e]
_putty_negs = [n for n in _old_putty["negative_examples"] if not any(c in n for c in ("aes256-cbc", "aes128-cbc", "3des-cbc", "aes256-ctr"))]
if not _enc_examples:  # re-reading this spec's own output: the encrypted examples live in the new rule
    _enc_examples = [r for r in existing_rules("keys") if r["id"] == "putty-encrypted-private-key"][0]["examples"]
add(rule("putty-encrypted-private-key", "putty", "PuTTY private key (.ppk v2/v3) protected by a passphrase",
         _putty_regex.replace(PUTTY_ANY, PUTTY_ENC), ["putty-user-key-file-"], _enc_examples,
         _putty_negs + [e for e in _old_putty["examples"] if "Encryption: none" in e][:1],
         severity="medium", window=_old_putty.get("window") or 16384, env_var="PUTTY_PRIVATE_KEY"))

NEW_IDS = {r["id"] for r in NEW}
OLD = [r for r in existing_rules("keys") if r["id"] not in NEW_IDS]  # idempotent: re-reads its own output
for r in OLD:
    if r["id"] == "putty-private-key":
        r["regex"] = r["regex"].replace(PUTTY_ANY, PUTTY_NONE)
        r["description"] = "PuTTY private key (.ppk v2/v3), unencrypted"
        r["examples"] = [e for e in r["examples"] if "Encryption: none" in e]
        enc = [e for e in _enc_examples][:1]
        r["negative_examples"] = _putty_negs + enc
    r["confidence"] = "high" if r["id"] != "jwt" else "medium"
    if r["id"] == "age-secret-key":
        r["aliases"] = ["age-secret-key"]
    if r["id"] in ("rsa-private-key", "ec-private-key", "dsa-private-key", "openssh-private-key", "pkcs8-private-key",
                   "encrypted-private-key", "pgp-private-key-block", "putty-private-key", "escaped-private-key"):
        r["aliases"] = ["private-key"]
    if r["id"] == "jwt":
        r["aliases"] = ["jwt"]

if __name__ == "__main__":
    emit(OLD + NEW, """# leakless built-in rules: private keys and signed tokens in every container -- PEM (RSA, EC, DSA, PKCS#8,
# encrypted, Ed25519/X25519/SM2/ML-DSA/TSS2/Nebula), OpenSSH, SSH2, PuTTY, PGP, unarmoured DER and base64-
# wrapped PEM, .NET XML, JWK (private and symmetric), age (and plugin identities), WireGuard, Tor onion
# keys, minisign, signify, cosign, OpenVPN, crypto-wallet keys (BIP-32, BIP-39, EVM, WIF, Solana, Tezos,
# Cardano, Stellar, Nostr) and JWTs.
# PEM rules span BEGIN..END and require a real base64 body, so stubs such as
# "-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----" and public keys/certificates do not
# match. JSON-escaped and percent-encoded forms are found by leakless' unescape-and-rescan.
# Format: gitleaks v8 rules plus leakless fields. Example keys are random bytes in the right armour.""")
