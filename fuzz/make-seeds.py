#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/ from the doc examples in spec/pages/ and the
key fixtures. Re-run after a doc page changes; the output is committed.
Signatures of "valid" seeds are made with openssl and "PayerMax's" test key
(tests/keys/src/pem/, a crate never published)."""
import base64, json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
seeds = os.path.join(root, "fuzz", "seeds")
pages = os.path.join(root, "spec", "pages")
key = os.path.join(root, "tests", "keys", "src", "pem", "payermax_private.pem")

def write(target, name, data):
    d = os.path.join(seeds, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def sign(body):
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=body,
                         capture_output=True, check=True).stdout
    return base64.b64encode(sig)

def json_blocks(text):
    """The JSON blocks after a `json` line, in page order."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        if lines[i].strip() == "json":
            j, depth, buf = i + 1, 0, []
            while j < len(lines):
                buf.append(lines[j]); depth += lines[j].count("{") - lines[j].count("}")
                if depth == 0 and "{" in "".join(buf):
                    break
                j += 1
            out.append("\n".join(buf).strip().encode()); i = j
        i += 1
    return out

doc_sign = None
for page in sorted(os.listdir(pages)):
    text = open(os.path.join(pages, page), encoding="utf-8").read()
    write("import_page", page, text.encode())
    m = re.search(r'sign: "([A-Za-z0-9+/=]+)"', text)
    if m:
        doc_sign = m.group(1).encode()
    for n, block in enumerate(json_blocks(text)):
        stem = f"{page[:-4]}-{n}"
        if "notify" in page:
            write("notification", stem + "-signed", b"\x00" + sign(block) + b"\n" + block)
            write("notification", stem + "-doc-sign", b"\x00" + (doc_sign or b"") + b"\n" + block)
            write("notification", stem + "-unsigned", b"\x00" + block)
            continue
        selector = b"\x01" if "v2.1" in page else b"\x00"
        write("reply", stem + "-signed", selector + sign(block) + b"\n" + block)
        write("reply", stem + "-doc-sign", selector + (doc_sign or b"") + b"\n" + block)
        write("reply", stem + "-unsigned", selector + block)

refusal = b'{"code":"PARAMS_INVALID","msg":"bad","data":null}'
write("reply", "refusal-unsigned", b"\x00" + refusal)
write("reply", "legacy-refusal", b'\x01{"bizCode":"E0001","message":"fail"}')

fixtures = os.path.join(root, "crates", "payermax-sign", "tests", "fixtures")
for sub in ["openssl", "payermax-sample"]:
    for name in sorted(os.listdir(os.path.join(fixtures, sub))):
        raw = open(os.path.join(fixtures, sub, name), "rb").read()
        private = "priv" in name
        if name.endswith(".pem") or name.endswith(".b64"):
            # 3: PrivateKey::parse, 4: from_pem, 5: from_pkcs8_base64, 6: PublicKey::parse, 7: from_pem / from_spki_base64
            sel = [3, 4 if name.endswith(".pem") else 5] if private else [6, 7]
            for s in sel:
                write("keys", f"{sub}-{name}-{s}", bytes([s]) + raw)
            if name.endswith(".pem"):
                b64 = b"".join(l for l in raw.splitlines() if not l.startswith(b"-----"))
                der = base64.b64decode(b64)
                for s in ([0, 1] if private else [2]):
                    write("keys", f"{sub}-{name}-der-{s}", bytes([s]) + der)

for text in ["1000.00", "0", "-0.5", "1e3", "0.0000000000000000000000000001",
             "\"12.30\"", "79228162514264337593543950335", "2023-10-20T03:28:23.092Z",
             "2022-01-17T09:16:57.123+00:00", "\"APPLY_SUCCESS\"", "\"TOO_MANY_REQUEST\"",
             "\"2026-01-02T03:04:05.6+08:00\""]:
    write("scalars", re.sub(r"[^A-Za-z0-9.+-]", "_", text)[:40], text.encode())
print("seeds written to", seeds, file=sys.stderr)
