#!/usr/bin/python3
"""Export a torchvision classifier with random weights to ONNX, and predict
with PyTorch the way a torchvision user does.

No pretrained weights can be downloaded where imagenetx is tested, so the
network starts from torchvision's own random initialisation with a fixed seed.
A freshly initialised network is badly conditioned: its BatchNorm layers hold
the default running statistics (mean 0, variance 1), so in eval mode
activations drift in scale from layer to layer, and the pooled features share
a large common component, so that one class wins for nearly every image. Two
honest, documented steps make the logits meaningful (argmax margins far
above float rounding) without any training:

  1. BatchNorm recalibration: every BatchNorm's running statistics are reset
     and re-estimated (cumulative average, momentum=None) by forward passes in
     train mode over --calib-count calibration images, then the network is
     put in eval mode. No weight is learnt; only the statistics that eval
     mode uses are made true to real images.
  2. Classifier centring: the last Linear layer's bias is set to
     -W·mean(features) over the same calibration images, so each logit
     measures how an image's features differ from the average image's rather
     than a class offset shared by all images.

The calibration images should not be the ones evaluated (imagenetx's tests
calibrate on val_orig and evaluate on val_227).

Modes:
  export   writes MODEL.onnx (opset 13, dynamic batch, input "input", output
           "logits"), its sidecar MODEL.json (torchvision's eval transform),
           MODEL.pt (the state dict, so that `predict` runs the very same
           network) and, with --predict DIR, PyTorch's predictions for DIR.
  predict  loads MODEL.pt and predicts a folder with a DataLoader, on the CPU
           or a GPU, printing throughput (the GPU benchmark's PyTorch peer).

Predictions are written in imagenetx's reference CSV format
(file_name,predicted_class,predicted_probability), rows in file-name order.
Images are read with torchvision's PIL loader and transformed with
Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet mean, std).

Works with Debian bookworm's python3-torch 1.13 / python3-torchvision 0.14
and with current PyTorch (2.x, where the TorchScript exporter is asked for
explicitly with dynamo=False).
"""

import argparse
import csv
import inspect
import json
import os
import sys
import time

import torch
import torchvision
from torch import nn
from torchvision import transforms
from torchvision.datasets.folder import default_loader

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
IMAGE_EXTENSIONS = (".jpeg", ".jpg", ".png", ".webp", ".bmp")


def eval_transform():
    """torchvision's ImageNet evaluation transform."""
    return transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])


def list_images(folder, limit=0):
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS))
    if limit > 0:
        names = names[:limit]
    if not names:
        sys.exit(f"export_torchvision: no images in {folder}")
    return [os.path.join(folder, n) for n in names]


class ImageFiles(torch.utils.data.Dataset):
    """Image files through the evaluation transform; each item also carries
    the seconds spent decoding and transforming it, so that the caller can
    tell how busy the loader workers were."""

    def __init__(self, paths):
        self.paths = paths
        self.transform = eval_transform()

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        t0 = time.perf_counter()
        x = self.transform(default_loader(self.paths[i]))
        return x, i, time.perf_counter() - t0


def build(name, seed):
    """torchvision's architecture `name`, randomly initialised with `seed`."""
    torch.manual_seed(seed)
    ctor = getattr(torchvision.models, name, None)
    if ctor is None or not callable(ctor):
        sys.exit(f"export_torchvision: torchvision has no model {name!r}")
    return ctor(weights=None, num_classes=1000)


def last_linear(model):
    """The classifier's final Linear layer (fc for ResNets, classifier[-1]
    for MobileNets, ...): the last nn.Linear in module order."""
    linear = None
    for m in model.modules():
        if isinstance(m, nn.Linear):
            linear = m
    if linear is None:
        sys.exit("export_torchvision: the model has no Linear classifier to centre")
    return linear


def condition(model, calib_paths, batch):
    """BatchNorm recalibration and classifier centring (see the module doc)."""
    loader = torch.utils.data.DataLoader(ImageFiles(calib_paths), batch_size=batch, shuffle=False, num_workers=0)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over all calibration batches
    model.train()
    with torch.no_grad():
        for x, _, _ in loader:
            model(x)
    model.eval()

    fc = last_linear(model)
    feats = []
    hook = fc.register_forward_hook(lambda _m, inp, _out: feats.append(inp[0].detach()))
    with torch.no_grad():
        for x, _, _ in loader:
            model(x)
    hook.remove()
    mean = torch.cat(feats).mean(dim=0)
    with torch.no_grad():
        fc.bias.copy_(-fc.weight @ mean)
    return len(bns)


def export_onnx(model, path):
    dummy = torch.zeros(1, 3, 224, 224)
    kwargs = dict(
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13, do_constant_folding=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter, as in torch 1.13
    tmp = path + ".tmp"
    try:
        torch.onnx.export(model, dummy, tmp, **kwargs)
    except Exception as e:  # a torch whose TorchScript exporter is gone
        if kwargs.get("dynamo") is not False:
            raise
        print(f"export_torchvision: the TorchScript exporter failed ({e}); using the dynamo exporter", file=sys.stderr)
        kwargs["dynamo"] = True
        torch.onnx.export(model, dummy, tmp, **kwargs)
    os.replace(tmp, path)


def write_sidecar(path):
    side = {
        "input_size": [3, 224, 224], "interpolation": "bilinear", "crop_pct": 0.875,
        "mean": list(MEAN), "std": list(STD), "num_classes": 1000, "output": "logits",
    }
    with open(path + ".tmp", "w") as f:
        json.dump(side, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def predict(model, paths, out, device, batch, workers):
    """Predicts paths into the CSV out; returns a dict of timings."""
    if device.type == "cuda":
        # cuDNN picks the fastest convolution algorithms, as imagenetx's
        # CUDA sessions do (cudnn_conv_algo_search EXHAUSTIVE).
        torch.backends.cudnn.benchmark = True
    model = model.to(device).eval()
    loader = torch.utils.data.DataLoader(
        ImageFiles(paths), batch_size=batch, shuffle=False, num_workers=workers,
        pin_memory=device.type == "cuda")
    rows = [None] * len(paths)
    prep_seconds = 0.0
    wait_seconds = 0.0
    start = time.perf_counter()
    with torch.no_grad():
        t_wait = time.perf_counter()
        for x, idx, secs in loader:
            wait_seconds += time.perf_counter() - t_wait
            prep_seconds += float(secs.sum())
            logits = model(x.to(device, non_blocking=True)).float()
            probs = torch.softmax(logits, dim=1)
            p, c = probs.max(dim=1)
            for i, cls, prob in zip(idx.tolist(), c.tolist(), p.double().tolist()):
                rows[i] = (os.path.basename(paths[i]), cls, prob)
            t_wait = time.perf_counter()
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - start
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file_name", "predicted_class", "predicted_probability"])
        for name, cls, prob in rows:
            w.writerow([name, cls, repr(prob)])
    os.replace(tmp, out)
    return {
        "images": len(paths), "wall_s": wall, "img_per_s": len(paths) / wall,
        # Summed decode+transform time over wall time × workers (the main
        # process does the work itself when workers is 0).
        "prep_busy": prep_seconds / (wall * max(workers, 1)),
        "loader_wait_s": wait_seconds,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    ex = sub.add_parser("export", help="export MODEL.onnx (+ .json, .pt) with conditioned random weights")
    ex.add_argument("--model", required=True, help="torchvision architecture, e.g. resnet50, mobilenet_v2")
    ex.add_argument("--seed", type=int, default=0)
    ex.add_argument("--calib", required=True, help="folder of calibration images")
    ex.add_argument("--calib-count", type=int, default=64)
    ex.add_argument("--out", required=True, help="output folder")
    ex.add_argument("--predict", help="also write PyTorch's predictions for this image folder")
    ex.add_argument("--predict-limit", type=int, default=0, help="only the first N images (file-name order)")
    ex.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    pr = sub.add_parser("predict", help="predict a folder with MODEL.pt")
    pr.add_argument("--weights", required=True, help="MODEL.pt written by export")
    pr.add_argument("--images", required=True)
    pr.add_argument("--limit", type=int, default=0)
    pr.add_argument("--out", required=True, help="predictions CSV")
    pr.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    pr.add_argument("--batch", type=int, default=64)
    pr.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    pr.add_argument("--threads", type=int, default=0)
    pr.add_argument("--stats", help="write the timings as JSON here")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    if args.mode == "export":
        os.makedirs(args.out, exist_ok=True)
        base = os.path.join(args.out, args.model)
        model = build(args.model, args.seed)
        calib = list_images(args.calib, args.calib_count)
        nbn = condition(model, calib, batch=16)
        export_onnx(model, base + ".onnx")
        write_sidecar(base + ".json")
        torch.save({"arch": args.model, "seed": args.seed, "state_dict": model.state_dict()}, base + ".pt.tmp")
        os.replace(base + ".pt.tmp", base + ".pt")
        print(f"export_torchvision: {args.model} seed {args.seed}: {nbn} BatchNorm layers recalibrated on "
              f"{len(calib)} images of {args.calib}, classifier centred -> {base}.onnx", file=sys.stderr)
        if args.predict:
            out = base + ".torch.csv"
            st = predict(model, list_images(args.predict, args.predict_limit), out, torch.device("cpu"), 16, 0)
            print(f"export_torchvision: PyTorch predictions -> {out} ({st['img_per_s']:.1f} img/s)", file=sys.stderr)
        return

    saved = torch.load(args.weights, map_location="cpu")
    model = getattr(torchvision.models, saved["arch"])(weights=None, num_classes=1000)
    model.load_state_dict(saved["state_dict"])
    device = torch.device(args.device)
    st = predict(model, list_images(args.images, args.limit), args.out, device, args.batch, args.workers)
    st.update(arch=saved["arch"], device=str(device), batch=args.batch, workers=args.workers, torch=torch.__version__)
    print(json.dumps(st), file=sys.stderr)
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(st, f)


if __name__ == "__main__":
    main()
