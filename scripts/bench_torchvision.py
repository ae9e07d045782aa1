#!/usr/bin/python3
"""Measure torchvision's eval preprocessing throughput (decode -> tensor).

The torchvision side of imagenetx's preprocessing speed benchmark: the standard
ImageNet eval transform (Resize(256) bilinear, CenterCrop(224), ToTensor,
Normalize) on PIL images, run through a DataLoader with --workers processes, the
way a torchvision evaluation loop feeds a model. Prints one JSON line:
{"images": N, "seconds": S, "img_per_s": R, ...}.

Run with Debian's interpreter, which has python3-torchvision:
    /usr/bin/python3 scripts/bench_torchvision.py --images ../shared/imagenetx/images/val_orig
"""
import argparse
import json
import os
import sys
import time

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class Folder(Dataset):
    """Every file of a folder, decoded with PIL like torchvision's ImageFolder."""

    def __init__(self, root, repeat, transform):
        names = sorted(n for n in os.listdir(root) if not n.startswith("."))
        if not names:
            raise SystemExit(f"no images in {root}")
        self.paths = [os.path.join(root, n) for n in names] * repeat
        self.transform = transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with open(self.paths[i], "rb") as f:
            img = Image.open(f).convert("RGB")  # torchvision.datasets.folder.pil_loader
        return self.transform(img)


def cpu_seconds(pids):
    """User+system CPU seconds used so far by the given processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", required=True, help="folder of images (e.g. val_orig)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=10, help="timed passes over the folder")
    ap.add_argument("--resize", type=int, default=256)
    ap.add_argument("--crop", type=int, default=224)
    args = ap.parse_args()

    tf = transforms.Compose([
        transforms.Resize(args.resize),  # bilinear on PIL
        transforms.CenterCrop(args.crop),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    ds = Folder(args.images, 1, tf)
    loader = DataLoader(ds, batch_size=args.batch, num_workers=args.workers,
                        persistent_workers=args.workers > 0)
    for _ in loader:  # warm-up pass: starts the workers and fills the page cache
        pass
    pids = [os.getpid()] + [w.pid for w in getattr(loader._iterator, "_workers", [])]
    cpu0 = cpu_seconds(pids)
    n = 0
    start = time.perf_counter()
    for _ in range(args.repeat):
        for batch in loader:
            n += batch.shape[0]
    secs = time.perf_counter() - start
    cpu = cpu_seconds(pids) - cpu0
    print(json.dumps({
        "tool": "torchvision", "torchvision": __import__("torchvision").__version__,
        "workers": args.workers, "batch": args.batch, "images": n,
        "seconds": round(secs, 3), "img_per_s": round(n / secs, 1),
        # CPU time of the main process and its workers: robust on a busy machine.
        "cpu_ms_per_img": round(1000 * cpu / n, 3),
    }))


if __name__ == "__main__":
    sys.exit(main())
