#!/usr/bin/env python3
"""No private key material ships in any published crate.

For every workspace package that can be published (`publish` not false),
lists what `cargo package` would ship (`cargo package --list`) and fails on
any file holding private key material:

* a PEM block labelled `... PRIVATE KEY` with a body (PKCS#8, PKCS#1, SEC1,
  encrypted PKCS#8: all private);
* base64 text anywhere (one-line keys as PayerMax's dashboard gives them,
  PEM bodies, Rust string literals with `\\n` escapes) or a binary file whose
  bytes are a DER private key: `SEQUENCE { INTEGER 0|1, ... }`, the start of
  PKCS#1 `RSAPrivateKey`, PKCS#8 `PrivateKeyInfo` and SEC1 `ECPrivateKey`
  (public keys and certificates start with a `SEQUENCE` instead).

    python3 .ci/no-keys-in-packages.py                 # every publishable package
    python3 .ci/no-keys-in-packages.py payermax-http   # only these
    python3 .ci/no-keys-in-packages.py --self-test     # the detector on known inputs
    python3 .ci/no-keys-in-packages.py --list          # the publishable packages, one a line

It also checks that every crate README.md's "Use the layers you need"
tells users to depend on can be published at all (`publish` not false).

Exit status 1 names each file and what was found in it.
"""

import base64
import binascii
import json
import os
import re
import subprocess
import sys

PEM_PRIVATE = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----\s*(?:[A-Za-z0-9+/=:, -]+\s*){0,4}?[A-Za-z0-9+/]{16,}"
)
# Base64 text, allowing the line breaks and escapes keys are pasted with.
B64_RUN = re.compile(rb"(?:[A-Za-z0-9+/]|\\n|\\r|\r|\n|\"\s*\"|\s){64,}")
B64_CHARS = re.compile(rb"[^A-Za-z0-9+/]")


def der_private_key_at(b: bytes) -> bool:
    """Whether `b` starts with SEQUENCE { INTEGER 0 or 1, ... } of a plausible key size."""
    if len(b) < 8 or b[0] != 0x30:
        return False
    n = b[1]
    if n < 0x80:
        length, i = n, 2
    elif n in (0x81, 0x82, 0x83):
        k = n - 0x80
        length, i = int.from_bytes(b[2 : 2 + k], "big"), 2 + k
    else:
        return False
    # The smallest private key (Ed25519 PKCS#8) is 46 bytes long.
    if length < 40:
        return False
    return b[i : i + 3] in (b"\x02\x01\x00", b"\x02\x01\x01")


def base64_private_keys(text: bytes):
    """Yields a description of each base64-encoded DER private key in `text`."""
    for m in B64_RUN.finditer(text):
        run = B64_CHARS.sub(b"", m.group(0))
        if len(run) < 64:
            continue
        # A key's DER starts with 0x30: its base64 starts with "M", at a
        # position that is a multiple of 4 from the start of the encoding.
        for start in range(len(run) - 11):
            if run[start] != ord("M"):
                continue
            head = run[start : start + 12]
            try:
                decoded = base64.b64decode(head, validate=True)
            except binascii.Error:
                continue
            if der_private_key_at(decoded):
                yield "base64 DER private key (%s...)" % run[start : start + 12].decode()
                break


def findings(data: bytes):
    found = []
    for m in PEM_PRIVATE.finditer(data):
        found.append("PEM block %r" % m.group(1).decode())
    if der_private_key_at(data):
        found.append("binary DER private key")
    found.extend(base64_private_keys(data))
    return found


def publishable_packages(root):
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--locked"],
            cwd=root, check=True, capture_output=True,
        ).stdout
    )
    members = set(meta["workspace_members"])
    out = []
    for p in meta["packages"]:
        if p["id"] in members and p.get("publish") != []:
            out.append((p["name"], os.path.dirname(p["manifest_path"])))
    return sorted(out)


def readme_crates(root):
    """The crates README.md's "Use the layers you need" table tells users to depend on."""
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    start = text.find("## Use the layers you need")
    if start < 0:
        raise SystemExit("README.md has no 'Use the layers you need' section")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end > 0 else len(text)]
    return sorted(set(re.findall(r"\| `(payermax-[a-z-]+)`", section)))


def package_files(root, name):
    listed = subprocess.run(
        ["cargo", "package", "--list", "--allow-dirty", "--locked", "-p", name],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    return [line for line in listed.splitlines() if line]


def self_test():
    here = os.path.dirname(os.path.abspath(__file__))
    # A freshly generated key in each form must be caught, a public key and
    # ordinary text must not.
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "k.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                       check=True, capture_output=True)
        pkcs8 = open(key, "rb").read()
        pkcs1 = subprocess.run(["openssl", "rsa", "-in", key, "-traditional"], check=True, capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-in", key, "-outform", "DER"], check=True, capture_output=True).stdout
        pub = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"], check=True, capture_output=True).stdout
        ec = subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"], check=True,
                            capture_output=True).stdout
        body = b"".join(l for l in pkcs8.splitlines() if not l.startswith(b"-----"))
        one_line = body.replace(b"\n", b"")
        rust = b'const KEY: &str = "' + b"\\n".join(pkcs8.splitlines()[1:-1]) + b'";'
        cases = {
            "PEM PKCS#8": (pkcs8, True),
            "PEM PKCS#1": (pkcs1, True),
            "DER PKCS#8": (der, True),
            "one-line base64 PKCS#8": (one_line, True),
            "base64 inside text": (b"key: " + one_line + b" (test only)", True),
            "Rust literal with \\n escapes, no armour": (rust, True),
            "PEM SEC1 EC": (ec, True),
            "PEM public key": (pub, False),
            "base64 of the public key": (b"".join(l for l in pub.splitlines() if not l.startswith(b"-----")), False),
            "this script": (open(os.path.join(here, "no-keys-in-packages.py"), "rb").read(), False),
            "prose about keys": (b"PEM labels PRIVATE KEY and RSA PRIVATE KEY; -----BEGIN PRIVATE KEY----- lines", False),
        }
    bad = []
    for label, (data, expected) in cases.items():
        got = bool(findings(data))
        print("self-test: %-45s %s" % (label, "found" if got else "clean"))
        if got != expected:
            bad.append(label)
    if bad:
        print("self-test FAILED: %s" % ", ".join(bad), file=sys.stderr)
        return 1
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    if argv[1:] == ["--list"]:
        for name, _ in publishable_packages(root):
            print(name)
        return 0
    wanted = set(argv[1:])
    publishable = publishable_packages(root)
    unpublishable = [c for c in readme_crates(root) if c not in {n for n, _ in publishable}]
    if unpublishable:
        print("README.md tells users to depend on %s, but publish = false (or not a workspace member)"
              % ", ".join(unpublishable), file=sys.stderr)
        return 1
    packages = [(n, d) for n, d in publishable if not wanted or n in wanted]
    if wanted - {n for n, _ in packages}:
        print("not a publishable workspace package: %s" % ", ".join(sorted(wanted - {n for n, _ in packages})),
              file=sys.stderr)
        return 1
    failures = 0
    for name, crate_dir in packages:
        files = package_files(root, name)
        checked = 0
        for rel in files:
            path = os.path.join(crate_dir, rel)
            if rel == "Cargo.lock" and not os.path.exists(path):
                path = os.path.join(root, "Cargo.lock")
            if not os.path.isfile(path):
                continue  # generated by cargo package (.cargo_vcs_info.json, Cargo.toml.orig)
            with open(path, "rb") as f:
                data = f.read()
            checked += 1
            for what in findings(data):
                print("%s ships %s: %s" % (name, rel, what), file=sys.stderr)
                failures += 1
        print("%s: %d files checked" % (name, checked))
    if failures:
        print("private key material in published crates (keep test keys in a publish = false crate)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
