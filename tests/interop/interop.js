// Interop check: the official Pusher SDKs against `pushsim serve`.
//
// pusher-js (the browser/Node client) connects, subscribes to public, private and presence
// channels (authorized by an auth endpoint in this script, signed with the server SDK's
// authorizeChannel), sees presence members, sends and receives client events, signs in, and
// receives events triggered through the server SDK (`pusher`), except the one that excludes
// its own socket_id. The server SDK's trigger, triggerBatch, sendToUser and GET /channels,
// /channels/NAME and /channels/NAME/users are checked too, and every webhook pushsim posts to
// this script's listener must pass the SDK's webhook(...).isValid().
//
// Usage: node interop.js PATH/TO/pushsim. Exits 0 only when every check passed.
'use strict';

const { spawn } = require('child_process');
const http = require('http');
const PusherServer = require('pusher');
const PusherClient = require('pusher-js');

const APP = { appId: 'interop-app', key: 'interop-key', secret: 'interop-secret' };
// 32 bytes, base64: the SDK derives each encrypted channel's shared secret from it.
const MASTER_KEY = Buffer.from('pushsim interop master key 32 b!').toString('base64');
const STEP_TIMEOUT_MS = 5000;
const TOTAL_TIMEOUT_MS = 60000;

let passed = 0;
const failures = [];

function check(condition, what, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failures.push(what);
    console.log(`FAIL ${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls until predicate() is truthy; rejects with `what` after the step timeout.
async function waitUntil(predicate, what, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value) return value;
    await sleep(10);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function readBody(request) {
  return new Promise((resolve) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

// The app server: channel authorization, user authentication, and the webhook receiver.
function startAppServer(sdk, webhooks) {
  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const form = new URLSearchParams(body);
    const user = request.headers['x-user'];
    const reply = (status, json) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (request.url === '/auth') {
      const channel = form.get('channel_name');
      const presence = channel.startsWith('presence-') ? { user_id: user, user_info: { name: `user ${user}` } } : undefined;
      return reply(200, sdk.authorizeChannel(form.get('socket_id'), channel, presence));
    }
    if (request.url === '/user-auth') {
      return reply(200, sdk.authenticateUser(form.get('socket_id'), { id: user, user_info: { name: `user ${user}` } }));
    }
    if (request.url === '/hooks') {
      const hook = sdk.webhook({ headers: request.headers, rawBody: body });
      webhooks.push({ valid: hook.isValid(), events: hook.isValid() ? hook.getEvents() : [], body });
      return reply(200, {});
    }
    reply(404, { error: 'not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Starts `pushsim serve` on an ephemeral port and resolves with {child, port}.
function startServe(binary, hookUrl) {
  const child = spawn(binary, ['serve', '--port', '0', '--seed', '1', '--app', `${APP.appId}:${APP.key}:${APP.secret}`,
    '--webhook', hookUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    let announced = false;
    const timer = setTimeout(() => reject(new Error(`pushsim serve did not announce its port: ${output}`)), STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`pushsim serve exited early with ${code}: ${output}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (process.env.INTEROP_VERBOSE) process.stdout.write(`[serve] ${chunk}`);
      const match = /pushsim serve: listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && !announced) {
        announced = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, port: Number(match[1]) });
      }
    });
  });
}

function client(port, appPort, user) {
  const pusher = new PusherClient(APP.key, {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: `http://127.0.0.1:${appPort}/auth`, transport: 'ajax', headers: { 'X-User': user } },
    userAuthentication: { endpoint: `http://127.0.0.1:${appPort}/user-auth`, transport: 'ajax', headers: { 'X-User': user } },
  });
  const received = [];  // every channel event: {channel, event, data, metadata}
  pusher.bind_global((event, data) => received.push({ channel: null, event, data }));
  return { pusher, received, user };
}

// Subscribes and records the channel's events; resolves once subscription_succeeded arrived.
async function subscribe(who, name) {
  const channel = who.pusher.subscribe(name);
  let succeeded = false;
  channel.bind('pusher:subscription_succeeded', () => { succeeded = true; });
  channel.bind('pusher:subscription_error', (error) => { throw new Error(`${name}: ${JSON.stringify(error)}`); });
  channel.bind_global((event, data, metadata) => who.received.push({ channel: name, event, data, metadata }));
  await waitUntil(() => succeeded, `${who.user} subscribed to ${name}`);
  return channel;
}

function got(who, channel, event) {
  return who.received.find((r) => r.channel === channel && r.event === event);
}

async function json(responsePromise) {
  const response = await responsePromise;
  return { status: response.status, body: await response.json() };
}

async function scenario(serve, sdk, webhooks) {
  const alice = client(serve.port, webhooks.port, 'u1');
  const bob = client(serve.port, webhooks.port, 'u2');
  await waitUntil(() => alice.pusher.connection.state === 'connected', 'alice connected');
  await waitUntil(() => bob.pusher.connection.state === 'connected', 'bob connected');
  check(/^\d+\.\d+$/.test(alice.pusher.connection.socket_id), 'pusher-js gets a socket_id of the form \\d+.\\d+',
    alice.pusher.connection.socket_id);

  // Public, private, presence.
  for (const name of ['public-chan', 'private-chan']) {
    await subscribe(alice, name);
    await subscribe(bob, name);
    check(true, `pusher-js subscribes to ${name}`);
  }
  const alicePresence = await subscribe(alice, 'presence-room');
  check(alicePresence.members.count === 1 && alicePresence.members.me.id === 'u1', 'presence: alice alone, as herself',
    alicePresence.members);
  const bobPresence = await subscribe(bob, 'presence-room');
  const ids = [];
  bobPresence.members.each((member) => ids.push(member.id));
  check(bobPresence.members.count === 2 && ids.sort().join() === 'u1,u2', 'presence: bob sees both members', ids);
  const added = await waitUntil(() => got(alice, 'presence-room', 'pusher:member_added'), 'member_added at alice');
  check(added.data.id === 'u2' && added.data.info.name === 'user u2', 'presence: alice sees bob added with his info', added.data);
  check(alicePresence.members.count === 2, 'presence: alice counts two members', alicePresence.members.count);

  // Client events: delivered to the others, with user_id on presence, never echoed.
  // bind_global handlers get no metadata: the presence one listens by name to see user_id.
  bobPresence.bind('client-typing', (data, metadata) => bob.received.push({ channel: 'presence-room/named', event: 'client-typing', data, metadata }));
  alice.pusher.channel('private-chan').trigger('client-typing', { x: 1 });
  alicePresence.trigger('client-typing', { x: 2 });
  const privateEvent = await waitUntil(() => got(bob, 'private-chan', 'client-typing'), 'client event on private-chan');
  check(privateEvent.data.x === 1, 'client event on a private channel reaches bob', privateEvent.data);
  const presenceEvent = await waitUntil(() => got(bob, 'presence-room/named', 'client-typing'), 'client event on presence-room');
  check(presenceEvent.data.x === 2 && presenceEvent.metadata && presenceEvent.metadata.user_id === 'u1',
    'client event on a presence channel carries the sender user_id', presenceEvent);

  // Server SDK: trigger, exclusion by socket_id, triggerBatch.
  let response = await sdk.trigger('public-chan', 'news', { n: 1 });
  check(response.status === 200, 'sdk trigger answers 200', response.status);
  const news = await waitUntil(() => got(alice, 'public-chan', 'news'), 'news at alice');
  check(news.data.n === 1, 'pusher-js receives an event triggered by the server SDK', news.data);
  await waitUntil(() => got(bob, 'public-chan', 'news'), 'news at bob');

  response = await sdk.trigger('public-chan', 'excluded', { n: 2 }, { socket_id: alice.pusher.connection.socket_id });
  check(response.status === 200, 'sdk trigger with socket_id answers 200', response.status);
  response = await sdk.triggerBatch([
    { channel: 'public-chan', name: 'batch-1', data: { b: 1 } },
    { channel: 'private-chan', name: 'batch-2', data: { b: 2 } },
  ]);
  check(response.status === 200, 'sdk triggerBatch answers 200', response.status);
  await waitUntil(() => got(bob, 'public-chan', 'excluded'), 'excluded event at bob');
  check(true, 'the event excluding alice still reaches bob');
  await waitUntil(() => got(alice, 'public-chan', 'batch-1') && got(alice, 'private-chan', 'batch-2'), 'batch at alice');
  check(got(alice, 'private-chan', 'batch-2').data.b === 2, 'pusher-js receives both events of a triggerBatch');
  // Events of one connection arrive in order: batch-1 came after the excluded event would have.
  check(!got(alice, 'public-chan', 'excluded'), 'the event triggered with alice\'s socket_id never reaches her');
  check(!got(alice, 'private-chan', 'client-typing') && !got(alice, 'presence-room', 'client-typing'),
    'client events are not echoed to their sender');

  // Trigger with info: the attributes of each channel come back in the response.
  let answer = await json(sdk.trigger('presence-room', 'counted', {}, { info: 'user_count' }));
  check(answer.status === 200 && JSON.stringify(answer.body) === '{"channels":{"presence-room":{"user_count":2}}}',
    'sdk trigger with info=user_count returns the channel attributes', answer);

  // Encrypted channel: the SDK encrypts with the shared secret the auth endpoint handed out.
  await subscribe(alice, 'private-encrypted-vault');
  response = await sdk.trigger('private-encrypted-vault', 'sealed', { s: 'hidden' });
  check(response.status === 200, 'sdk trigger to an encrypted channel answers 200', response.status);
  const sealed = await waitUntil(() => got(alice, 'private-encrypted-vault', 'sealed'), 'sealed event at alice');
  check(sealed.data.s === 'hidden', 'pusher-js decrypts an event on an encrypted channel', sealed.data);

  // Cache channel: a miss for the first subscriber, the last event for a later one.
  await subscribe(bob, 'cache-news');
  await waitUntil(() => got(bob, 'cache-news', 'pusher:cache_miss'), 'cache_miss at bob');
  check(true, 'pusher-js gets pusher:cache_miss on an empty cache channel');
  await sdk.trigger('cache-news', 'headline', { h: 1 });
  await waitUntil(() => got(bob, 'cache-news', 'headline'), 'headline at bob');
  await subscribe(alice, 'cache-news');
  const cached = await waitUntil(() => got(alice, 'cache-news', 'headline'), 'cached headline at alice');
  check(cached.data.h === 1, 'a later subscriber of a cache channel gets the last event', cached.data);

  // Server SDK: channel queries.
  answer = await json(sdk.get({ path: '/channels' }));
  check(answer.status === 200 &&
    Object.keys(answer.body.channels).sort().join() === 'cache-news,presence-room,private-chan,private-encrypted-vault,public-chan',
    'sdk get /channels lists the occupied channels', answer);
  answer = await json(sdk.get({ path: '/channels/presence-room', params: { info: 'user_count' } }));
  check(answer.status === 200 && answer.body.occupied === true && answer.body.user_count === 2,
    'sdk get /channels/presence-room?info=user_count', answer);
  answer = await json(sdk.get({ path: '/channels/presence-room/users' }));
  check(answer.status === 200 && answer.body.users.map((u) => u.id).sort().join() === 'u1,u2',
    'sdk get /channels/presence-room/users', answer);
  answer = await json(sdk.get({ path: '/channels/public-chan', params: { info: 'subscription_count' } }));
  check(answer.status === 200 && answer.body.occupied === true, 'sdk get /channels/public-chan', answer);

  // Sign-in and a message to the user.
  alice.pusher.signin();
  const userEvents = [];
  alice.pusher.user.bind('hello', (data) => userEvents.push(data));
  await waitUntil(() => alice.pusher.user.user_data && alice.pusher.user.user_data.id === 'u1', 'alice signed in');
  await sleep(100);  // pusher-js subscribes to #server-to-user-u1 right after signin_success
  response = await sdk.sendToUser('u1', 'hello', { greeting: 'hi' });
  check(response.status === 200, 'sdk sendToUser answers 200', response.status);
  await waitUntil(() => userEvents.length > 0, 'hello at alice');
  check(userEvents[0].greeting === 'hi', 'pusher-js receives sendToUser after signin', userEvents);

  // Webhooks: every post valid for the SDK, and the expected events among them.
  bob.pusher.unsubscribe('presence-room');
  const events = () => webhooks.received.flatMap((h) => h.events);
  const has = (predicate) => events().some(predicate);
  await waitUntil(() => has((e) => e.name === 'member_removed' && e.user_id === 'u2'), 'member_removed webhook', 10000);
  check(webhooks.received.length > 0 && webhooks.received.every((h) => h.valid), 'every webhook passes the SDK\'s isValid()',
    webhooks.received.filter((h) => !h.valid).map((h) => h.body));
  check(has((e) => e.name === 'channel_occupied' && e.channel === 'public-chan'), 'channel_occupied webhook', events());
  check(has((e) => e.name === 'member_added' && e.channel === 'presence-room' && e.user_id === 'u2'), 'member_added webhook');
  check(has((e) => e.name === 'client_event' && e.channel === 'presence-room' && e.event === 'client-typing' && e.user_id === 'u1'),
    'client_event webhook with user_id', events().filter((e) => e.name === 'client_event'));

  // terminate_connections closes alice's signed-in connection.
  const states = [];
  alice.pusher.connection.bind('state_change', (change) => states.push(change.current));
  response = await sdk.terminateUserConnections('u1');
  check(response.status === 200, 'sdk terminateUserConnections answers 200', response.status);
  await waitUntil(() => states.length > 0, 'alice leaves the connected state');
  check(states[0] !== 'connected', 'terminateUserConnections disconnects the signed-in user', states);

  alice.pusher.disconnect();
  bob.pusher.disconnect();
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: node interop.js PATH/TO/pushsim');
  const sdkOptions = { ...APP, host: '127.0.0.1', useTLS: false, encryptionMasterKeyBase64: MASTER_KEY };
  const hooks = { received: [], port: 0 };
  const appServer = await startAppServer(new PusherServer({ ...sdkOptions, port: '1' }), hooks.received);
  hooks.port = appServer.address().port;
  const serve = await startServe(binary, `http://127.0.0.1:${hooks.port}/hooks`);
  const sdk = new PusherServer({ ...sdkOptions, port: String(serve.port) });
  const overall = setTimeout(() => { console.log('FAIL interop run exceeded its time limit'); process.exit(1); }, TOTAL_TIMEOUT_MS);
  try {
    await scenario(serve, sdk, hooks);
  } catch (error) {
    failures.push(error.message);
    console.log(`FAIL ${error.message}`);
  }
  // SIGTERM: pushsim serve closes its connections with 4200 and exits 0.
  const exited = new Promise((resolve) => serve.child.on('exit', (code, signal) => resolve({ code, signal })));
  serve.child.kill('SIGTERM');
  const exit = await Promise.race([exited, sleep(STEP_TIMEOUT_MS).then(() => ({ code: 'timeout' }))]);
  check(exit.code === 0, 'pushsim serve exits 0 on SIGTERM', exit);
  if (exit.code === 'timeout') serve.child.kill('SIGKILL');
  clearTimeout(overall);
  appServer.close();
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.log(`FAIL ${error.stack || error}`);
  process.exit(1);
});
