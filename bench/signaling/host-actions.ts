// How long each host action takes to reach its target: on one process, and with the host and its
// target on two un75-signal processes over one redis-server (every decision then one Redis script,
// the news one pub/sub hop). Loopback, open rooms, one action at a time (latency, not load), the
// two deployments side by side in one run. Figures only, no assertions.
//
//   node --import tsx bench/signaling/host-actions.ts
//
// Env: HOST_ACTION_ROUNDS (100 per action and deployment).
import { performance } from 'node:perf_hooks';
import { deploy, type Deployment, type DeploymentKind, type TestClient } from '../../test/server/helpers.js';

const ROUNDS = Number(process.env.HOST_ACTION_ROUNDS ?? 100);
const ACTIONS = ['request-mute', 'lower-hand', 'set-role', 'lock', 'admit', 'deny', 'remove'] as const;
type Action = (typeof ACTIONS)[number];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** One round of `action` in a fresh room: the host on the first process, everyone else on the next. */
async function round(d: Deployment, action: Action, i: number): Promise<number> {
  const room = `${action}-${i}`;
  const host = await d.connect();
  await host.join(room, 'Host');
  // The deployment hands out processes in turn: whoever the action is about connects right after
  // the host, so that with two processes it sits on the other one.
  const waits = action === 'admit' || action === 'deny';
  const waiter: TestClient | null = waits ? await d.connect() : null;
  const target = await d.connect();
  const wt = await target.join(room, 'Tess');
  await host.next('peer-joined');
  if (waiter) {
    host.send({ type: 'lock', on: true });
    await target.next('room');
    waiter.send({ type: 'join', room, name: 'Wen' });
    await waiter.next('waiting');
  }
  if (action === 'lower-hand') {
    target.send({ type: 'update', handRaised: true });
    await host.next('peer-updated');
  }
  const waiting = waiter ? (await nextList(host)).waiting[0]!.id : '';
  const start = performance.now();
  switch (action) {
    case 'request-mute':
      host.send({ type: action, id: wt.id });
      await target.next('mute-requested');
      break;
    case 'lower-hand':
      host.send({ type: action, id: wt.id });
      await target.next('peer-updated');
      break;
    case 'set-role':
      host.send({ type: action, id: wt.id, role: 'interpreter' });
      await target.next('peer-updated');
      break;
    case 'lock':
      host.send({ type: 'lock', on: true });
      await target.next('room');
      break;
    case 'admit':
      host.send({ type: action, id: waiting });
      await waiter!.next('welcome');
      break;
    case 'deny':
      host.send({ type: action, id: waiting });
      await waiter!.next('denied');
      break;
    case 'remove':
      host.send({ type: action, id: wt.id });
      await target.next('removed');
      break;
  }
  const ms = performance.now() - start;
  for (const c of [host, target, waiter]) c?.close();
  return ms;
}

async function nextList(host: TestClient) {
  for (;;) {
    const list = await host.next('waiting-list');
    if (list.waiting.length) return list;
  }
}

async function main(): Promise<void> {
  const kinds: DeploymentKind[] = ['one process', 'two processes over Redis'];
  const deployments = await Promise.all(kinds.map((k) => deploy(k, { waitingRoomMs: 60_000 })));
  const times = new Map<string, number[]>();
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const action of ACTIONS) {
        // The two deployments in turn, so that the machine's drift touches both alike.
        for (const [k, d] of deployments.entries()) {
          const key = `${action}\t${kinds[k]}`;
          times.set(key, [...(times.get(key) ?? []), await round(d, action, i)]);
        }
      }
    }
  } finally {
    await Promise.all(deployments.map((d) => d.close()));
  }
  console.log(`\nHost actions, host → target on another process (${ROUNDS} rounds each, ms from the host's frame to what the target sees)`);
  console.log(`${'action'.padEnd(14)}${'one process p50 / p99'.padEnd(26)}two processes over Redis p50 / p99`);
  for (const action of ACTIONS) {
    const [one, two] = kinds.map((k) => times.get(`${action}\t${k}`)!);
    const cell = (xs: number[]) => `${pct(xs, 50).toFixed(2)} / ${pct(xs, 99).toFixed(2)}`.padEnd(26);
    console.log(`${action.padEnd(14)}${cell(one!)}${cell(two!)}`);
  }
}

await main();
