"""`make scale-test`: the scaled profile survives losing a Rasa replica and an action-server replica.

Starts the scaled profile on free ports (models/scale-test), holds N concurrent three-turn conversations through
the load balancer (turn 1 names a place, turns 2-3 are follow-ups that need the conversation's context), and
once a third of all turns are answered SIGKILLs one Rasa replica and one action-server replica. Then checks that
every turn was answered with the right place's fact and that every user message and bot reply is stored in
PostgreSQL. Prints one summary line; exits 1 on any loss.

    .venv/kb/bin/python -m tests.scale.scale_test [--conversations 20] [--keep]

Load is bounded: N conversations x 3 turns, localhost only, a deadline on the whole run.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from dataclasses import dataclass, field

from tests.scale.checks import Script, TurnResult, lb_retries, load_scripts, missing_turns, stored_turn_count
from tests.scale.profile import ScaledStack

REQUEST_TIMEOUT_S = 60.0  # > the LB's server timeout: a retried request may wait out a dead replica's lock
RUN_DEADLINE_S = 180.0


@dataclass
class Run:
    """Shared state of the load phase."""
    started: float = field(default_factory=time.monotonic)
    answered: int = 0  # turns with an HTTP 200 reply, whatever its content
    in_flight: int = 0
    kills: list[tuple[str, float, int]] = field(default_factory=list)  # (name, seconds into the run, in flight)

    def t(self) -> float:
        return time.monotonic() - self.started


async def converse(session, url: str, sender: str, script: Script, think_s: float, run: Run) -> list[TurnResult]:
    """One visitor: the script's turns in order, a pause between them like a person reading the reply."""
    import aiohttp

    results: list[TurnResult] = []
    for i, turn in enumerate(script.turns):
        if i:
            await asyncio.sleep(think_s)
        res = TurnResult(turn.say, turn.fact)
        run.in_flight += 1
        t0 = time.monotonic()
        try:
            async with session.post(url, json={"sender": sender, "message": turn.say},
                                    timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as r:
                if r.status == 200:
                    res.replies = [m.get("text") or "" for m in await r.json()]
                    run.answered += 1
                else:
                    res.error = f"HTTP {r.status}: {(await r.text())[:120]}"
        except Exception as e:  # noqa: BLE001 - a lost turn is what this test reports
            res.error = f"{type(e).__name__}: {e}"[:160]
        finally:
            run.in_flight -= 1
            res.seconds = time.monotonic() - t0
        results.append(res)
    return results


async def killer(stack: ScaledStack, run: Run, after_answered: int, victims: list[str]) -> None:
    """SIGKILL the victims once `after_answered` turns are done: mid-run, with conversations half-way through."""
    while run.answered < after_answered and run.t() < RUN_DEADLINE_S:
        await asyncio.sleep(0.02)
    # Prefer a moment with requests under way, so some die with the replica (bounded: 5 s at most).
    wait_until = run.t() + 5
    while run.in_flight < 2 and run.t() < wait_until:
        await asyncio.sleep(0.005)
    for name in victims:
        run.kills.append((name, round(run.t(), 2), run.in_flight))
        stack.kill(name)


async def load(stack: ScaledStack, scripts: list[Script], n: int, prefix: str, seed: int) -> tuple[dict[str, list[TurnResult]], Run]:
    import aiohttp

    rng = random.Random(seed)
    run = Run()
    total_turns = sum(len(scripts[i % len(scripts)].turns) for i in range(n))
    senders = [f"{prefix}{i:02d}" for i in range(n)]

    async def visitor(i: int) -> list[TurnResult]:
        await asyncio.sleep(i * 0.05)  # visitors arrive over a second, not in one burst
        return await converse(session, stack.url, senders[i], scripts[i % len(scripts)], rng.uniform(1.0, 2.0), run)

    # One conversation starts behind the lock ticket of a "dead replica" (issued just now, full lifetime, as a
    # replica killed right after taking it leaves it): deterministic, unlike which messages the SIGKILL catches.
    # Its first message's own ticket then expires within a second of the dead one; with Rasa's stock Redis lock
    # store that message waits forever (the LB answers 504).
    stack.plant_dead_ticket(senders[0], stack.ticket_lifetime_s)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=n)) as session:
        kill_task = asyncio.create_task(killer(stack, run, total_turns // 3, ["rasa1", "actions1"]))
        results = await asyncio.wait_for(asyncio.gather(*(visitor(i) for i in range(n))), RUN_DEADLINE_S)
        if not kill_task.done():  # every turn finished before the trigger: that run proved nothing
            kill_task.cancel()
    return dict(zip(senders, results)), run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.scale.scale_test")
    ap.add_argument("--conversations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--keep", action="store_true", help="leave the profile running afterwards (stop: make stop-scaled"
                    " SCALED_DIR=models/scale-test)")
    args = ap.parse_args(argv)
    wall0 = time.monotonic()
    scripts = load_scripts()
    stack = ScaledStack()
    print(f"[scale-test] starting the scaled profile in {stack.dir} (LB port {stack.lb_port})", flush=True)
    try:
        stack.start()
        startup_s = time.monotonic() - wall0
        print(f"[scale-test] up in {startup_s:.0f}s; {args.conversations} conversations x 3 turns", flush=True)
        prefix = f"scale-{uuid.uuid4().hex[:8]}-"
        conversations, run = asyncio.run(load(stack, scripts, args.conversations, prefix, args.seed))
        load_s = run.t()
        events = stack.stored_events(prefix)
    finally:
        if not args.keep:
            stack.stop()

    turns = [t for ts in conversations.values() for t in ts]
    follow_ups = [t for ts in conversations.values() for t in ts[1:]]
    correct = sum(t.correct for t in turns)
    missing = missing_turns(conversations, events)
    stored = stored_turn_count(conversations, missing)
    killed = {name for name, _, _ in run.kills}
    for sender, ts in conversations.items():
        for n, t in enumerate(ts, 1):
            if not t.correct:
                print(f"[scale-test] WRONG {sender} turn {n} {t.say!r} expected {t.fact!r}: "
                      f"{t.error or ' | '.join(t.replies)[:200]!r}")
    for line in missing:
        print(f"[scale-test] NOT STORED {line}")
    ok = (correct == len(turns) and not missing and killed == {"rasa1", "actions1"})
    if killed != {"rasa1", "actions1"}:
        print("[scale-test] the replicas were not killed mid-run (all turns finished first): nothing was tested")
    lb_log = stack.dir / "logs" / "haproxy.log"
    lb = lb_retries(lb_log.read_text(errors="replace").splitlines()) if lb_log.exists() else {}
    retried = ", ".join(f"{fe} {c['redispatched']}/{c['requests']}" for fe, c in sorted(lb.items()))
    slowest = max((t.seconds for t in turns), default=0.0)
    first = next(iter(conversations.values()))[0]
    dead_ticket = f"{first.seconds:.1f}s ({'answered' if first.correct else 'LOST'})"
    kills = ", ".join(f"{name} at {t}s ({inflight} requests in flight)" for name, t, inflight in run.kills)
    print(f"scale-test {'OK' if ok else 'FAILED'}: {len(conversations)} conversations, {len(turns)} turns, "
          f"{correct}/{len(turns)} answered correctly ({sum(t.correct for t in follow_ups)}/{len(follow_ups)} "
          f"follow-ups), {stored}/{len(turns)} turns stored in PostgreSQL ({len(events)} user/bot events), "
          f"SIGKILL {kills or 'none'}; redispatched by the LB: {retried or 'n/a'}; turn behind a dead replica's lock "
          f"ticket ({stack.ticket_lifetime_s:.0f}s) {dead_ticket}; slowest turn {slowest:.1f}s; load {load_s:.1f}s, "
          f"startup {startup_s:.0f}s, wall {time.monotonic() - wall0:.0f}s",
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
