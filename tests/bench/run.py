"""`make bench`: measure the assistant side by side in one run and write models/bench/results.json + bench.png.

Phases (each bounded in time and count, localhost only):
  1. stack   start the real Rasa + action server (tests.stack.Stack, free ports);
             REST latency of answered knowledge questions interleaved with Rasa's own floor (messages a rule
             answers with a plain response, no custom action), same senders, same client, same run;
             throughput (answered messages/s) with 1, 4 and 16 concurrent closed-loop visitors (asyncio +
             aiohttp, no think time), per profile: "single" (tests.stack.Stack) and "scaled" (scripts/scaled.sh:
             2 Rasa + 2 action servers behind HAProxy, PostgreSQL tracker store, Redis lock store; docs/scale.md);
             RSS of each server process.
  2. build   the project's index build (bot.kb.index.build + store.save) in texts/s next to raw
             SentenceTransformer.encode of the very same texts (same model object, same batch size), on the
             real knowledge/ and on a replicated corpus (~2k texts) so the number is stable.
  3. scale   synthetic knowledge bases of 10k, 100k and 1M 384-d vectors: the index type bot.kb.ann picks,
             build time, memory, single-query latency and recall@10 against exact search.

    .venv/kb/bin/python -m tests.bench.run [--quick] [--skip stack,build,scale] [--profiles single,scaled] [--replot]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import numpy as np
import yaml

from bot.settings import REPO_ROOT, get_settings
from tests.eval.judge import is_decline, norm

QUESTIONS = Path(__file__).with_name("questions.yml")
TARGETS = {"latency_p50_ratio": 1.3, "latency_p95_ratio": 2.0, "build_vs_encode": 0.90,
           "scale_recall_at_10": 0.95, "scale_query_ms_1m": 5.0}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
BUSY_SHARE = 0.10  # share of the machine's CPU time used by other processes above which numbers are perturbed


# ---------------------------------------------------------------- helpers

def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(q / 100 * len(ordered))) - 1))]


def rss_mb_self() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_questions() -> tuple[list[dict], list[str]]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data["questions"], data["floor"]


def is_answered(replies: list[dict], fact: str) -> bool:
    text = "\n".join(m.get("text") or "" for m in replies)
    return "source:" in text.lower() and not is_decline(text) and norm(fact) in norm(text)


def is_floor_reply(replies: list[dict]) -> bool:
    text = "\n".join(m.get("text") or "" for m in replies)
    return bool(text.strip()) and "source:" not in text.lower() and not is_decline(text)


# CPU seconds of benchmark servers that are not this process's children (the scaled profile's processes are
# started by scripts/scaled.sh), added by stack_phase before it stops them, so they do not count as "other".
_UNREAPED_OWN_CPU_S = [0.0]


def cpu_clock() -> tuple[float, float, float]:
    """(wall seconds, machine busy CPU seconds, CPU seconds of this process, its reaped children and its
    stacks' unreaped processes)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system [idle iowait] irq softirq steal
    own = sum(os.times()[:4]) + _UNREAPED_OWN_CPU_S[0]
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own


def foreign_cpu_share(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    """Share of all CPUs' time spent by processes outside this benchmark (its servers included, once stopped)."""
    wall = after[0] - before[0]
    foreign = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, foreign / (wall * (os.cpu_count() or 1))) if wall > 0 else 0.0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def assert_local(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing to load-test {host!r}: the benchmark only targets localhost")


class RssSampler:
    """Peak RSS of the stack's processes, sampled every `every` seconds while a phase runs."""

    def __init__(self, sample: Callable[[], dict[str, float]], every: float = 0.5) -> None:
        self.sample, self.every = sample, every
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, mb in self.sample().items():
                self.peak[name] = max(self.peak.get(name, 0.0), mb)
            self._stop.wait(self.every)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- 1. stack: latency, throughput, RSS

def latency_phase(url: str, questions: list[dict], floor: list[str], rounds: int) -> dict:
    """Sequential requests, answered question and floor message alternating (order flipped every pair),
    on the same senders: both see the same server state, tracker length and machine load."""
    import requests

    lat: dict[str, list[float]] = {"answered": [], "floor": []}
    unanswered: list[str] = []
    errors = 0
    with requests.Session() as http:
        def post(sender: str, message: str) -> tuple[float, list[dict] | None]:
            started = time.perf_counter()
            try:
                r = http.post(url, json={"sender": sender, "message": message}, timeout=60)
                ms = (time.perf_counter() - started) * 1000
                return ms, (r.json() if r.status_code == 200 else None)
            except Exception:  # noqa: BLE001 - counted, reported
                return (time.perf_counter() - started) * 1000, None

        for r in range(rounds):
            for i, q in enumerate(questions):
                if i % 5 == 0:  # a visitor asks a handful of things; the session start is not measured
                    sender = f"bench-lat-{r}-{i}-{uuid.uuid4().hex[:6]}"
                    post(sender, "hi")
                pair = [("floor", floor[(i + r) % len(floor)], None), ("answered", q["say"], q["fact"])]
                if (i + r) % 2:
                    pair.reverse()
                for kind, message, fact in pair:
                    ms, replies = post(sender, message)
                    if replies is None:
                        errors += 1
                    elif kind == "floor":
                        if is_floor_reply(replies):
                            lat["floor"].append(ms)
                        else:
                            errors += 1
                    elif is_answered(replies, fact):
                        lat["answered"].append(ms)
                    else:
                        unanswered.append(message)
    out = {k: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
               "mean_ms": round(statistics.fmean(v), 1) if v else None} for k, v in lat.items()}
    out["ratio_p50"] = round(out["answered"]["p50_ms"] / out["floor"]["p50_ms"], 2)
    out["ratio_p95"] = round(out["answered"]["p95_ms"] / out["floor"]["p95_ms"], 2)
    out["unanswered"] = sorted(set(unanswered))
    out["unanswered_count"] = len(unanswered)
    out["errors"] = errors
    out["rounds"] = rounds
    return out


async def _load_level(url: str, questions: list[dict], visitors: int, seconds: float, max_messages: int) -> dict:
    import aiohttp

    deadline = time.monotonic() + seconds
    stats = {"sent": 0, "answered": 0, "not_answered": 0, "errors": 0}
    latencies: list[float] = []
    timeout = aiohttp.ClientTimeout(total=30)

    async def visitor(session: "aiohttp.ClientSession", vid: int) -> None:
        turn = 0
        sender = ""
        while time.monotonic() < deadline and stats["sent"] < max_messages:
            if turn % 8 == 0:  # a new visitor conversation every 8 questions
                sender = f"bench-tp{visitors}-{vid}-{turn}-{uuid.uuid4().hex[:6]}"
            q = questions[(vid * 5 + turn) % len(questions)]
            turn += 1
            stats["sent"] += 1
            started = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": q["say"]}, timeout=timeout) as r:
                    replies = await r.json() if r.status == 200 else None
            except Exception:  # noqa: BLE001 - counted, reported
                replies = None
            latencies.append((time.perf_counter() - started) * 1000)
            if replies is None:
                stats["errors"] += 1
            elif is_answered(replies, q["fact"]):
                stats["answered"] += 1
            else:
                stats["not_answered"] += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=visitors)) as session:
        await asyncio.gather(*(visitor(session, v) for v in range(visitors)))
    elapsed = time.perf_counter() - started
    return {"visitors": visitors, "seconds": round(elapsed, 2), **stats,
            "answered_per_s": round(stats["answered"] / elapsed, 2),
            "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1)}


def throughput_phase(url: str, questions: list[dict], levels: list[int], seconds: float, max_messages: int) -> list[dict]:
    out = []
    for visitors in levels:
        res = asyncio.run(_load_level(url, questions, visitors, seconds, max_messages))
        log(f"  {visitors:>2} visitors: {res['answered_per_s']} answered/s, p50 {res['p50_ms']} ms, "
            f"p95 {res['p95_ms']} ms, {res['errors']} errors, {res['not_answered']} not answered")
        out.append(res)
    return out


def single_profile(logs_dir: Path):
    from tests.stack import Stack

    return Stack(logs_dir=logs_dir).start()


def single_one_thread_profile(logs_dir: Path):
    """The single deployment with the action server limited to one OpenMP/torch thread (OMP_NUM_THREADS=1):
    an experiment, opt-in with --profiles, to see what intra-op threads cost on a 2-core machine where Rasa
    and the action server share the cores."""
    from tests.stack import Stack

    class OneThreadActions(Stack):
        def start_actions(self) -> None:
            env = self.env
            self.env = {**env, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
            try:
                super().start_actions()
            finally:
                self.env = env

    return OneThreadActions(logs_dir=logs_dir).start()


def scaled_profile(logs_dir: Path):
    """The scaled profile on free ports, in its own directory (models/bench-scaled, wiped at start; its logs stay
    there). Rate limits off (RATE_LIMIT_PER_SENDER/ADDRESS=0): the load comes from one address."""
    from tests.scale.profile import ScaledStack

    return ScaledStack(scaled_dir=REPO_ROOT / "models" / "bench-scaled").start()


# Deployment profiles measured by the stack phase: a function that starts the stack and returns an object with
# .url, .say(), .rss_mb() and .stop(), like tests.stack.Stack. None: not built, reported as skipped.
PROFILES: dict[str, Callable[[Path], object] | None] = {
    "single": single_profile,
    "scaled": scaled_profile,
    "single-1thread": single_one_thread_profile,  # opt-in experiment: --profiles single,single-1thread
}
DEFAULT_PROFILES = "single,scaled"


def stack_phase(args, questions: list[dict], floor: list[str], out_dir: Path) -> dict:
    result: dict = {"profiles": {}}
    for name in args.profiles:
        start = PROFILES[name]
        if start is None:
            result["profiles"][name] = {"status": "skipped", "reason": "profile not implemented yet (PROFILES hook "
                                        "in tests/bench/run.py)"}
            log(f"profile {name}: skipped (not implemented yet)")
            continue
        log(f"profile {name}: starting Rasa + action server")
        t0 = time.perf_counter()
        stack = start(out_dir)
        try:
            assert_local(stack.url)
            startup = round(time.perf_counter() - t0, 1)
            log(f"  up in {startup}s; warming up")
            for q in questions:  # loads the encoder in the action server, warms every code path once
                stack.say(f"bench-warm-{uuid.uuid4().hex[:6]}", q["say"])
            for f in floor:
                stack.say(f"bench-warm-{uuid.uuid4().hex[:6]}", f)
            rss_idle = stack.rss_mb()
            prof: dict = {"status": "measured", "startup_s": startup, "url": stack.url}
            if True:  # every profile gets its latency-vs-floor measurement
                log(f"  latency: {args.rounds} rounds x {len(questions)} questions, interleaved with the floor")
                prof["latency"] = latency_phase(stack.url, questions, floor, args.rounds)
                lat = prof["latency"]
                log(f"  answered p50 {lat['answered']['p50_ms']} / p95 {lat['answered']['p95_ms']} ms; floor p50 "
                    f"{lat['floor']['p50_ms']} / p95 {lat['floor']['p95_ms']} ms; ratio {lat['ratio_p50']} / "
                    f"{lat['ratio_p95']}")
            log(f"  throughput: {args.levels} visitors, {args.level_seconds}s or {args.level_max} messages each")
            with RssSampler(stack.rss_mb) as sampler:
                prof["throughput"] = throughput_phase(stack.url, questions, args.levels, args.level_seconds, args.level_max)
            prof["rss_mb"] = {"idle_after_warmup": rss_idle, "peak_under_load": sampler.peak,
                              "note": "action server RSS includes its rasa-sdk worker process and the model"}
            result["profiles"][name] = prof
        finally:
            if hasattr(stack, "cpu_seconds"):
                _UNREAPED_OWN_CPU_S[0] += stack.cpu_seconds()
            stack.stop()
            workdir = getattr(stack, "workdir", None)  # endpoints.yml + tracker.db of this run (logs are in out_dir)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
    return result


# ---------------------------------------------------------------- 2. index build vs raw encode

class RecordingEncoder:
    """Wraps the project's encoder; remembers the text lists the build encodes (in order)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.calls = inner, inner.name, []

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts):
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def replicate_knowledge(src: Path, dst: Path, copies: int) -> None:
    """`copies` copies of every page (distinct stems and titles), the catalogue and the FAQ once."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("catalog.yml", "faq.yml"):
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    for page in sorted(src.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for k in range(copies):
            stem = page.stem if k == 0 else f"{page.stem}_r{k}"
            body = text if k == 0 else text.replace("\ntitle: ", f"\ntitle: (copy {k}) ", 1)
            (dst / f"{stem}.md").write_text(body, encoding="utf-8")


def build_phase(args) -> dict:
    from bot.kb import index as kb_index
    from bot.kb import store
    from bot.kb.encoder import make_encoder

    settings = get_settings()
    encoder = make_encoder(settings.model_name)
    t0 = time.perf_counter()
    model = encoder._load()  # the SentenceTransformer object the build uses; loaded once, outside the timings
    load_s = time.perf_counter() - t0
    batch = getattr(encoder, "batch_size", 32)

    def raw_encode(calls: list[list[str]]) -> float:
        started = time.perf_counter()
        for texts in calls:
            model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True,
                         show_progress_bar=False)
        return time.perf_counter() - started

    def project_build(knowledge: Path, out: Path) -> tuple[float, list[list[str]]]:
        rec = RecordingEncoder(encoder)
        started = time.perf_counter()
        stored = kb_index.build(knowledge, rec, chunk_max_chars=settings.chunk_max_chars,
                                fragment_max_chars=settings.fragment_max_chars)
        store.save(out, stored)
        return time.perf_counter() - started, rec.calls

    corpora = {"real": settings.knowledge_dir}
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        replicated = tmp / "knowledge"
        replicate_knowledge(settings.knowledge_dir, replicated, args.replicas)
        corpora[f"replicated x{args.replicas}"] = replicated
        raw_encode([["warm up"] * batch])
        results = {}
        for label, knowledge in corpora.items():
            pairs = args.build_pairs
            build_s, raw_s = [], []
            calls: list[list[str]] = []
            for rep in range(pairs):  # A-B, B-A, ...: a drift in machine load hits both sides alike
                if rep % 2 == 0:
                    b, calls = project_build(knowledge, tmp / f"index-{rep}")
                    r = raw_encode(calls)
                else:
                    r = raw_encode(calls)
                    b, calls = project_build(knowledge, tmp / f"index-{rep}")
                build_s.append(b)
                raw_s.append(r)
            n = sum(len(c) for c in calls)
            ratio = statistics.median(r / b for r, b in zip(raw_s, build_s))
            b_med, r_med = statistics.median(build_s), statistics.median(raw_s)
            results[label] = {"texts": n, "encode_calls": [len(c) for c in calls], "pairs": pairs,
                              "build_s": [round(x, 3) for x in build_s], "raw_encode_s": [round(x, 3) for x in raw_s],
                              "build_texts_per_s": round(n / b_med, 1), "raw_texts_per_s": round(n / r_med, 1),
                              "ratio": round(ratio, 3)}
            log(f"  {label}: {n} texts, build {n / b_med:.1f} texts/s vs raw encode {n / r_med:.1f} texts/s "
                f"= {ratio:.0%} (median of {pairs} paired runs)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"model_load_s": round(load_s, 2), "batch_size": batch, "corpora": results,
            "note": "build = bot.kb.index.build + store.save (chunking, tagging, 3 encode calls, FAISS, JSON) with "
                    "the model already loaded; raw = SentenceTransformer.encode of the same texts in the same calls; "
                    "ratio = median over pairs of raw seconds / build seconds"}


# ---------------------------------------------------------------- 3. knowledge at scale

def scale_phase(args) -> dict:
    import faiss

    from bot.kb import ann
    from bot.kb import store
    from tests.bench.synthetic import SyntheticCorpus, neighbour_stats

    threads = faiss.omp_get_max_threads()
    corpus = SyntheticCorpus()
    queries = corpus.draw(args.scale_queries, seed=999)
    real = store.load(get_settings().index_dir)
    real_vecs = real.sentence_index.reconstruct_n(0, real.sentence_index.ntotal)
    out: dict = {"dimension": corpus.dim, "queries": args.scale_queries, "k": 10,
                 "hnsw": {"M": ann.HNSW_M, "efConstruction": ann.HNSW_EF_CONSTRUCTION, "efSearch": ann.HNSW_EF_SEARCH},
                 "flat_max_vectors": ann.FLAT_MAX_VECTORS, "build_threads": threads, "query_threads": 1,
                 "vector_stats": {"real_sentence_index": neighbour_stats(real_vecs, len(real_vecs))}, "sizes": []}
    for n in args.sizes:
        t0 = time.perf_counter()
        base = corpus.draw(n, seed=n)
        gen_s = time.perf_counter() - t0
        if n == args.sizes[0]:
            out["vector_stats"]["synthetic"] = neighbour_stats(base, 2000)
        kind = ann.choose_index_type(n)
        faiss.omp_set_num_threads(threads)
        exact_index = ann.build_ann(base, ann.FLAT)
        _, exact = ann.search(exact_index, queries, 10)  # batched exact search: the ground truth

        rss0 = rss_mb_self()
        t0 = time.perf_counter()
        index = exact_index if kind == ann.FLAT else ann.build_ann(base, kind)
        build_s = time.perf_counter() - t0 if kind != ann.FLAT else 0.0
        if kind == ann.FLAT:  # time a fresh flat build for the record (the exact index above is reused)
            t0 = time.perf_counter()
            ann.build_ann(base, ann.FLAT)
            build_s = time.perf_counter() - t0
        rss_delta = rss_mb_self() - rss0 if kind != ann.FLAT else n * corpus.dim * 4 / 2**20
        vec_bytes = n * corpus.dim * 4
        graph_bytes = 0
        if kind == ann.HNSW:
            h = index.hnsw
            graph_bytes = h.neighbors.size() * 4 + h.offsets.size() * 8 + h.levels.size() * 4 + h.assign_probas.size() * 8

        faiss.omp_set_num_threads(1)  # one query at a time, as a server answering one visitor
        lat, found = [], []
        for q in queries:
            started = time.perf_counter()
            _, ids = ann.search(index, q[None, :], 10)
            lat.append((time.perf_counter() - started) * 1000)
            found.append(ids[0])
        flat_lat = []
        for q in queries[: args.flat_queries]:
            started = time.perf_counter()
            ann.search(exact_index, q[None, :], 10)
            flat_lat.append((time.perf_counter() - started) * 1000)
        faiss.omp_set_num_threads(threads)
        row = {"vectors": n, "index_type": kind, "generate_s": round(gen_s, 2), "build_s": round(build_s, 2),
               "build_vectors_per_s": round(n / build_s) if build_s else None,
               "rss_delta_mb": round(rss_delta, 1), "index_mb": round((vec_bytes + graph_bytes) / 2**20, 1),
               "graph_mb": round(graph_bytes / 2**20, 1),
               "query_p50_ms": round(pct(lat, 50), 3), "query_p95_ms": round(pct(lat, 95), 3),
               "recall_at_10": round(ann.recall_at_k(np.array(found), exact, 10), 4),
               "flat_query_p50_ms": round(pct(flat_lat, 50), 3), "flat_queries": len(flat_lat)}
        out["sizes"].append(row)
        log(f"  {n:>9,} vectors: {kind}, build {row['build_s']}s, index {row['index_mb']} MB (RSS +{row['rss_delta_mb']} MB), "
            f"query p50 {row['query_p50_ms']} ms (flat {row['flat_query_p50_ms']} ms), recall@10 {row['recall_at_10']}")
        del index, exact_index, base
    return out


# ---------------------------------------------------------------- report

def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    (ax_lat, ax_tp, ax_build), (ax_scale, ax_recall, ax_rss) = axes
    single = results.get("stack", {}).get("profiles", {}).get("single", {})
    if single.get("latency"):
        lat = single["latency"]
        xs = np.arange(2)
        ax_lat.bar(xs - 0.2, [lat["floor"]["p50_ms"], lat["floor"]["p95_ms"]], 0.4, label="Rasa floor (rule reply)")
        ax_lat.bar(xs + 0.2, [lat["answered"]["p50_ms"], lat["answered"]["p95_ms"]], 0.4, label="answered question")
        ax_lat.hlines([lat["floor"]["p50_ms"] * TARGETS["latency_p50_ratio"], lat["floor"]["p95_ms"] * TARGETS["latency_p95_ratio"]],
                      xs - 0.45, xs + 0.45, colors="red", lw=1, label="target (1.3x / 2x floor)")
        ax_lat.set_xticks(xs, [f"p50 (x{lat['ratio_p50']})", f"p95 (x{lat['ratio_p95']})"])
        ax_lat.set_ylabel("ms")
        ax_lat.set_title("REST latency, same run")
        ax_lat.legend()
    profiles = {n: p for n, p in results.get("stack", {}).get("profiles", {}).items() if p.get("throughput")}
    for pname, prof in profiles.items():
        tp = prof["throughput"]
        ax_tp.plot([t["visitors"] for t in tp], [t["answered_per_s"] for t in tp], "o-", label=f"{pname} profile")
        for t in tp:
            ax_tp.annotate(f"{t['answered_per_s']}/s\np95 {t['p95_ms']:.0f} ms", (t["visitors"], t["answered_per_s"]),
                           textcoords="offset points", xytext=(4, -22), fontsize=8)
    if profiles:
        levels = sorted({t["visitors"] for p in profiles.values() for t in p["throughput"]})
        ax_tp.set_xscale("log", base=2)
        ax_tp.set_xticks(levels, [str(v) for v in levels])
        ax_tp.set_ylim(bottom=0)
        ax_tp.set_xlabel("concurrent visitors (closed loop, no think time)")
        ax_tp.set_ylabel("answered messages / s")
        skipped = [n for n, p in results["stack"]["profiles"].items() if p.get("status") == "skipped"]
        ax_tp.set_title("throughput" + (f" ({', '.join(skipped)}: not built yet)" if skipped else ""))
        ax_tp.legend()
    if results.get("build"):
        corp = results["build"]["corpora"]
        labels = list(corp)
        xs = np.arange(len(labels))
        ax_build.bar(xs - 0.2, [corp[c]["raw_texts_per_s"] for c in labels], 0.4, label="raw encode")
        ax_build.bar(xs + 0.2, [corp[c]["build_texts_per_s"] for c in labels], 0.4, label="index build")
        ax_build.set_xticks(xs, [f"{c}\n{corp[c]['texts']} texts ({corp[c]['ratio']:.0%})" for c in labels])
        ax_build.set_ylabel("texts / s")
        ax_build.set_title("index build vs raw encode")
        ax_build.legend(loc="lower center")
    if results.get("scale"):
        rows = results["scale"]["sizes"]
        ns = [r["vectors"] for r in rows]
        ax_scale.plot(ns, [r["query_p50_ms"] for r in rows], "o-", label="chosen index, p50")
        ax_scale.plot(ns, [r["query_p95_ms"] for r in rows], "o--", label="chosen index, p95")
        ax_scale.plot(ns, [r["flat_query_p50_ms"] for r in rows], "s:", label="exact flat, p50")
        ax_scale.axhline(TARGETS["scale_query_ms_1m"], color="red", lw=0.8, label="5 ms target")
        for r in rows:
            ax_scale.annotate(r["index_type"], (r["vectors"], r["query_p50_ms"]), textcoords="offset points",
                              xytext=(4, 6), fontsize=8)
        ax_scale.set_xscale("log")
        ax_scale.set_yscale("log")
        ax_scale.set_xlabel("vectors (synthetic, 384-d)")
        ax_scale.set_ylabel("ms per single query")
        ax_scale.set_title("knowledge at scale: query latency")
        ax_scale.legend(fontsize=8)
        ax_recall.bar(range(len(rows)), [r["recall_at_10"] for r in rows], color="tab:green")
        ax_recall.axhline(TARGETS["scale_recall_at_10"], color="red", lw=0.8)
        ax_recall.set_xticks(range(len(rows)), [f"{n:,}\n{r['index_type']}\nbuild {r['build_s']}s, {r['index_mb']:.0f} MB"
                                                for n, r in zip(ns, rows)], fontsize=8)
        ax_recall.set_ylim(0.8, 1.005)
        ax_recall.set_title("recall@10 vs exact search")
    rss = single.get("rss_mb", {})
    if rss:
        names = sorted(rss["idle_after_warmup"])
        xs = np.arange(len(names))
        ax_rss.bar(xs - 0.2, [rss["idle_after_warmup"][n] for n in names], 0.4, label="idle")
        ax_rss.bar(xs + 0.2, [rss["peak_under_load"].get(n, 0) for n in names], 0.4, label="peak under load")
        ax_rss.set_xticks(xs, names)
        ax_rss.set_ylabel("MB")
        ax_rss.set_title("RSS per server process")
        ax_rss.legend()
    for ax in axes.flat:
        if not ax.has_data():
            ax.set_axis_off()
    fig.suptitle(f"make bench - {results['meta']['started']} - {results['meta']['cpus']} CPUs")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def summary(results: dict) -> list[str]:
    lines = []
    shares = {name: results[name]["foreign_cpu_share"] for name in ("stack", "build", "scale") if name in results}
    lines.append("CPU used by other processes during each phase: "
                 + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    busy = {k: v for k, v in shares.items() if v > BUSY_SHARE}
    if busy:
        lines.append(f"WARNING: other processes used more than {BUSY_SHARE:.0%} of the CPUs during "
                     + ", ".join(busy) + ": those numbers are perturbed; rerun on a quiet machine")
    mark = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    for name, prof in results.get("stack", {}).get("profiles", {}).items():
        lat = prof.get("latency")
        if not lat:
            continue
        lines += [f"REST latency, {name} profile (ms)   p50      p95     n",
                  f"  floor (rule reply)  {lat['floor']['p50_ms']:>18} {lat['floor']['p95_ms']:>8} {lat['floor']['n']:>5}",
                  f"  answered question   {lat['answered']['p50_ms']:>18} {lat['answered']['p95_ms']:>8} {lat['answered']['n']:>5}",
                  f"  ratio               {lat['ratio_p50']:>17}x {lat['ratio_p95']:>7}x   targets <=1.3x "
                  f"[{mark(lat['ratio_p50'] <= TARGETS['latency_p50_ratio'])}] / <=2x "
                  f"[{mark(lat['ratio_p95'] <= TARGETS['latency_p95_ratio'])}]"
                  f"   ({lat['unanswered_count']} unanswered, {lat['errors']} errors)"]
    for name, prof in results.get("stack", {}).get("profiles", {}).items():
        if prof.get("status") != "measured":
            lines.append(f"throughput, {name} profile: {prof.get('status')} ({prof.get('reason')})")
            continue
        lines.append(f"throughput, {name} profile   answered/s   p50 ms   p95 ms  errors  not answered")
        for t in prof["throughput"]:
            lines.append(f"  {t['visitors']:>2} visitors          {t['answered_per_s']:>9} {t['p50_ms']:>8} "
                         f"{t['p95_ms']:>8} {t['errors']:>7} {t['not_answered']:>13}")
    if results.get("build"):
        lines.append("index build vs raw encode   texts   build/s   raw/s   ratio (target >= 90 %)")
        for label, c in results["build"]["corpora"].items():
            lines.append(f"  {label:<22} {c['texts']:>7} {c['build_texts_per_s']:>9} {c['raw_texts_per_s']:>7} "
                         f"{c['ratio']:>6.0%} [{mark(c['ratio'] >= TARGETS['build_vs_encode'])}]")
    if results.get("scale"):
        lines.append("scale (synthetic 384-d)  index     build s  index MB  RSS+ MB  query p50/p95 ms  flat p50 ms  recall@10")
        for r in results["scale"]["sizes"]:
            lines.append(f"  {r['vectors']:>9,}              {r['index_type']:<8} {r['build_s']:>8} {r['index_mb']:>9} "
                         f"{r['rss_delta_mb']:>8} {r['query_p50_ms']:>8}/{r['query_p95_ms']:<8} {r['flat_query_p50_ms']:>11} "
                         f"{r['recall_at_10']:>9}")
        big = results["scale"]["sizes"][-1]
        lines.append(f"  at {big['vectors']:,}: recall@10 {big['recall_at_10']} "
                     f"[{mark(big['recall_at_10'] >= TARGETS['scale_recall_at_10'])}], query p50 {big['query_p50_ms']} ms "
                     f"[{mark(big['query_p50_ms'] <= TARGETS['scale_query_ms_1m'])}]")
    measured = {n: p for n, p in results.get("stack", {}).get("profiles", {}).items() if p.get("throughput")}
    if len(measured) > 1:
        names = list(measured)
        lines.append("throughput side by side (answered/s)  " + "".join(f"{n:>22}" for n in names))
        levels = sorted({t["visitors"] for p in measured.values() for t in p["throughput"]})
        for v in levels:
            cells = []
            for n in names:
                t = next((t for t in measured[n]["throughput"] if t["visitors"] == v), None)
                cells.append(f"{t['answered_per_s']:>8}/s p95 {t['p95_ms']:>4.0f} ms" if t else "-")
            lines.append(f"  {v:>2} visitors                        " + "".join(f"{c:>22}" for c in cells))
    for name, prof in results.get("stack", {}).get("profiles", {}).items():
        rss = prof.get("rss_mb")
        if rss:
            lines.append(f"RSS MB, {name} profile (idle / peak under load): " + ", ".join(
                f"{n} {rss['idle_after_warmup'][n]} / {rss['peak_under_load'].get(n)}" for n in sorted(rss["idle_after_warmup"])))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run")
    parser.add_argument("--out", default=str(REPO_ROOT / "models" / "bench"))
    parser.add_argument("--skip", default="", help="comma-separated phases to skip: stack,build,scale")
    parser.add_argument("--replot", action="store_true", help="redraw bench.png and reprint the table from results.json")
    parser.add_argument("--quick", action="store_true", help="smaller everything (a smoke run, not for the docs)")
    parser.add_argument("--profiles", default=DEFAULT_PROFILES, help=f"comma-separated, from {sorted(PROFILES)}")
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds over the question list")
    parser.add_argument("--levels", default="1,4,16")
    parser.add_argument("--level-seconds", type=float, default=15.0)
    parser.add_argument("--level-max", type=int, default=3000, help="messages per concurrency level, at most")
    parser.add_argument("--replicas", type=int, default=13, help="copies of the pages for the stable build number")
    parser.add_argument("--build-pairs", type=int, default=2, help="paired (build, raw encode) runs per corpus")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--scale-queries", type=int, default=200)
    parser.add_argument("--flat-queries", type=int, default=50, help="queries timed on exact flat search, for reference")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.level_seconds, args.replicas, args.build_pairs = 1, 4.0, 3, 1
        args.sizes = "10000,100000"
    args.profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = [p for p in args.profiles if p not in PROFILES]
    if unknown:
        parser.error(f"unknown profile(s) {unknown}; known: {sorted(PROFILES)}")
    args.levels = [int(x) for x in str(args.levels).split(",")]
    args.sizes = [int(x) for x in str(args.sizes).split(",")]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    if args.replot:
        results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
        chart(results, out_dir / "bench.png")
        print("\n".join(summary(results)))
        return 0
    questions, floor = load_questions()
    results: dict = {"meta": {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": "make bench (" + " ".join(sys.argv) + ")",
        "cpus": os.cpu_count(), "python": platform.python_version(), "machine": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()], "targets": TARGETS, "quick": args.quick,
        "questions": len(questions), "floor_messages": floor}}
    started = time.perf_counter()
    phases = [("stack", lambda: stack_phase(args, questions, floor, out_dir)), ("build", lambda: build_phase(args)),
              ("scale", lambda: scale_phase(args))]
    for name, run in phases:
        if name in skip:
            continue
        log(f"phase {name} (load average {os.getloadavg()[0]:.2f})")
        t0 = time.perf_counter()
        load_before = [round(x, 2) for x in os.getloadavg()]
        clock = cpu_clock()
        results[name] = run()
        results[name]["loadavg_before"] = load_before
        results[name]["foreign_cpu_share"] = round(foreign_cpu_share(clock, cpu_clock()), 3)
        results[name]["phase_seconds"] = round(time.perf_counter() - t0, 1)
        results[name]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    results["meta"]["bench_process_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    (out_dir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    chart(results, out_dir / "bench.png")
    print()
    print("\n".join(summary(results)))
    print(f"\n{results['meta']['seconds']}s in all; wrote {out_dir / 'results.json'} and {out_dir / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
