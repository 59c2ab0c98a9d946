"""The peer a user would pick instead: the same CIFAR-10 nets trained with PyTorch on the same cores.

Called by `npm run bench:speed` (one process per measurement, as its own rows are); prints one JSON
line. The nets mirror examples/cifar/model.ts: 5x5 'same' convolutions with ReLU, 3x3/2 max then
average pooling padded to 32 -> 16 -> 8 -> 4 (average pooling without the padding, as tfjs's 'same'),
He-normal weights, L2 weight decay 0.004 (x250 on full's last layer), softmax cross-entropy, Momentum
SGD 0.9. Batches are built per step from the uint8 records (normalised per channel), as the tfjs
pipeline does. Debian's python3-torch (CPU).

  python3 bench/speed_torch.py --net quick --batch 50 --steps 40 --data ../shared/data/cifar-10-small
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn


def build(net: str) -> tuple[nn.Module, list[dict]]:
    def conv(cin: int, cout: int) -> nn.Conv2d:
        c = nn.Conv2d(cin, cout, 5, padding=2)
        nn.init.kaiming_normal_(c.weight, nonlinearity="relu")
        nn.init.zeros_(c.bias)
        return c

    def dense(cin: int, cout: int) -> nn.Linear:
        d = nn.Linear(cin, cout)
        nn.init.kaiming_normal_(d.weight, nonlinearity="relu")
        nn.init.zeros_(d.bias)
        return d

    features = [
        conv(3, 32), nn.ReLU(), nn.MaxPool2d(3, 2, padding=1),
        conv(32, 32), nn.ReLU(), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
        conv(32, 64), nn.ReLU(), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
        nn.Flatten(),
    ]
    if net == "quick":
        head = [dense(1024, 64), dense(64, 10)]
        model = nn.Sequential(*features, *head)
        groups = [{"params": model.parameters(), "weight_decay": 0.004}]
    else:
        last = dense(1024, 10)
        model = nn.Sequential(*features, last)
        rest = [p for m in features for p in m.parameters()]
        groups = [{"params": rest, "weight_decay": 0.004}, {"params": last.parameters(), "weight_decay": 0.004 * 250}]
    return model, groups


def load(data_dir: str) -> tuple[np.ndarray, np.ndarray, str]:
    path = os.path.join(data_dir, "data_batch_1.bin")
    if os.path.exists(path):
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
        return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64), f"CIFAR-10 ({data_dir})"
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, (1000, 3, 32, 32), dtype=np.uint8), rng.integers(0, 10, 1000), "random images (CIFAR-10 absent)"


def profile(step, a, source: str) -> None:
    """Per-op self time of a training step (mean of 5 profiled steps), next to the mean step time of 10."""
    from torch.profiler import ProfilerActivity, profile as torch_profile

    t0 = time.perf_counter()
    for _ in range(10):
        step()
    step_ms = (time.perf_counter() - t0) * 100
    profiled = 5
    with torch_profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(profiled):
            step()
    rows = []
    for e in prof.key_averages(group_by_input_shape=True):
        shapes = [s for s in e.input_shapes if s][:2]
        rows.append((e.self_cpu_time_total / 1000 / profiled, f"{e.key} {json.dumps(shapes, separators=(',', ':'))}"))
    rows.sort(reverse=True)
    total = sum(ms for ms, _ in rows)
    print(f"## Profile: PyTorch {torch.__version__}, {a.net} net, batch {a.batch} ({torch.get_num_threads()} threads; {source})\n")
    print(f"One training step (mean of 10): {step_ms:.1f} ms = {a.batch * 1000 / step_ms:.0f} images/s; "
          f"self time of ops {total:.1f} ms (mean of {profiled} profiled steps; NCHW shapes).\n")
    print("| op [input shapes] | ms | share |\n| --- | --- | --- |")
    small = [ms for ms, _ in rows if ms < 0.5]
    for ms, key in rows:
        if ms >= 0.5:
            print(f"| {key} | {ms:.1f} | {100 * ms / total:.0f} % |")
    print(f"| {len(small)} others under 0.5 ms | {sum(small):.1f} | {100 * sum(small) / total:.0f} % |\n")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--net", default="quick", choices=["quick", "full"])
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--steps", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default="")
    p.add_argument("--profile", action="store_true", help="per-op milliseconds of one step (mean of 5), as a markdown table")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    images, labels, source = load(a.data)
    flat = images.reshape(len(images), 3, -1).astype(np.float64)
    mean = flat.mean(axis=(0, 2)).reshape(1, 3, 1, 1).astype(np.float32)
    std = flat.std(axis=(0, 2)).reshape(1, 3, 1, 1).astype(np.float32)
    model, groups = build(a.net)
    opt = torch.optim.SGD(groups, lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    order = np.random.default_rng(2).permutation(len(images))
    at = 0

    def step() -> None:
        nonlocal at
        if at + a.batch > len(order):
            at = 0
        idx = order[at : at + a.batch]
        at += a.batch
        x = torch.from_numpy((images[idx].astype(np.float32) - mean) / std)
        y = torch.from_numpy(labels[idx])
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()  # tfjs reads the loss back every batch too

    for _ in range(3):
        step()
    if a.profile:
        profile(step, a, source)
        return
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "set": "pytorch", "net": a.net, "batch": a.batch, "imagesPerSecond": a.steps * a.batch / seconds,
        "backend": f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads", "source": source,
    }))


if __name__ == "__main__":
    main()
