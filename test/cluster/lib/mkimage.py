#!/usr/bin/env python3
"""Write a single-layer OCI/Docker image as a docker-archive tar.

The result is what `docker save` produces (manifest.json + config JSON +
layer tar) and is accepted by `ctr -n k8s.io images import`. No registry and
no Docker daemon are needed.

usage: mkimage.py --rootfs DIR --tag NAME:TAG --out FILE.tar
                  [--entrypoint JSON] [--cmd JSON] [--env K=V ...]
                  [--user U] [--workdir DIR]

The layer is produced with GNU tar (numeric owners, xattrs/capabilities kept,
/proc, /sys and /dev contents left out) so that file modes and setuid/caps
survive exactly.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rootfs", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--entrypoint", default=None, help="JSON array")
    p.add_argument("--cmd", default=None, help="JSON array")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--user", default="")
    p.add_argument("--workdir", default="/")
    a = p.parse_args()

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        layer = os.path.join(tmp, "layer.tar")
        subprocess.run(
            [
                "tar", "--create", "--file", layer, "--directory", a.rootfs,
                "--numeric-owner", "--xattrs", "--xattrs-include=security.capability",
                "--sort=name", "--mtime=@0",
                "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*",
                ".",
            ],
            check=True,
        )
        diff_id = "sha256:" + sha256_file(layer)
        env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env
        cfg = {
            "architecture": "amd64",
            "os": "linux",
            "created": "1970-01-01T00:00:00Z",
            "config": {
                "Env": env,
                "Entrypoint": json.loads(a.entrypoint) if a.entrypoint else None,
                "Cmd": json.loads(a.cmd) if a.cmd else None,
                "User": a.user,
                "WorkingDir": a.workdir,
            },
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "kubectl-netpol test/cluster/lib/mkimage.py"}],
        }
        cfg_bytes = json.dumps(cfg, sort_keys=True).encode()
        cfg_name = hashlib.sha256(cfg_bytes).hexdigest() + ".json"
        layer_name = diff_id.split(":", 1)[1] + "/layer.tar"
        manifest = [{"Config": cfg_name, "RepoTags": [a.tag], "Layers": [layer_name]}]

        tmp_out = a.out + ".tmp"
        with tarfile.open(tmp_out, "w") as t:
            def add_bytes(name, data):
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                ti.mode = 0o644
                import io
                t.addfile(ti, io.BytesIO(data))
            add_bytes(cfg_name, cfg_bytes)
            t.add(layer, arcname=layer_name)
            add_bytes("manifest.json", json.dumps(manifest).encode())
        os.replace(tmp_out, a.out)
    print(f"wrote {a.out} ({a.tag}, layer {diff_id[:19]})")


if __name__ == "__main__":
    sys.exit(main())
