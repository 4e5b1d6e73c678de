// The demo home screen: one device of the SDK, rendering each event's row from its cached bundle.
import { connect, tokenClaims } from '../sdk/kickoff-device.js';

const rows = document.getElementById('event-rows');
const pill = document.getElementById('connection');
const problem = document.getElementById('problem');
const TOKEN_KEY = 'kickoff-home:token';
let device = null;

function say(text) {
  problem.hidden = !text;
  problem.textContent = text || '';
}

/** The token offered by config.json, kept so that a reload is the same device (same positions). */
function pickToken(config) {
  try {
    const kept = JSON.parse(localStorage.getItem(TOKEN_KEY) || 'null');
    const claims = kept && tokenClaims(kept.token);
    if (kept && kept.secretId === config.secretId && claims.exp * 1000 > Date.now() + 60000) return kept.token;
  } catch { /* none kept */ }
  localStorage.setItem(TOKEN_KEY, JSON.stringify({ token: config.token, secretId: config.secretId }));
  return config.token;
}

function card(title, rendering) {
  const article = document.createElement('article');
  article.className = 'card';
  if (title.artworkUrl) {
    const img = document.createElement('img');
    img.alt = title.name || '';
    img.src = title.artworkUrl;
    img.addEventListener('error', () => img.classList.add('broken'));
    article.append(img);
  }
  const badges = document.createElement('div');
  badges.className = 'badges';
  for (const text of rendering.badges || []) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = text;
    badges.append(badge);
  }
  const name = document.createElement('h3');
  name.textContent = title.name || title.titleId || '';
  const synopsis = document.createElement('p');
  synopsis.textContent = title.synopsis || '';
  article.append(badges, name, synopsis);
  if (rendering.callToAction) {
    const cta = document.createElement('span');
    cta.className = 'cta';
    cta.textContent = rendering.callToAction;
    article.append(cta);
  }
  return article;
}

/** One row per event; a final stage removes it; no rendering: the built-in generic row of the stage. */
function renderEvent(eventId, stage, rendering, info) {
  let row = rows.querySelector(`[data-event="${CSS.escape(eventId)}"]`);
  if (stage === 'ENDED' || stage === 'CANCELLED') {
    if (row) row.remove();
    return;
  }
  if (!row) {
    row = document.createElement('div');
    row.className = 'event';
    row.dataset.event = eventId;
    rows.prepend(row);
  }
  row.dataset.stage = stage;
  row.dataset.seq = info.seq;
  row.dataset.source = info.source;
  row.dataset.version = info.bundle ? info.bundle.version : '';
  const heading = document.createElement('h2');
  const cards = document.createElement('div');
  cards.className = 'cards';
  if (rendering) {
    heading.textContent = rendering.rowTitle || stage;
    for (const title of rendering.titles || []) cards.append(card(title, rendering));
  } else {
    heading.textContent = stage === 'LIVE' ? 'Live now' : stage === 'PRE_SHOW' ? 'Starting soon' : 'Coming up';
    cards.append(card({ name: eventId }, { badges: [stage] }));
  }
  row.replaceChildren(heading, cards);
  if (stage === 'LIVE') offerPlay(row, eventId, heading, cards);
}

/**
 * A LIVE row can be played (the button, or a click on the row): the SDK tells the gateway PLAYING, then a heartbeat
 * while it plays, and STOPPED on Stop, so the event's audience counts this page (protocol §6a).
 */
function offerPlay(row, eventId, heading, cards) {
  const button = document.createElement('button');
  button.className = 'play';
  const show = () => {
    const playing = Boolean(device && device.playback(eventId));
    row.dataset.playing = String(playing);
    button.textContent = playing ? '■ Stop' : '▶ Play';
  };
  const toggle = (event) => {
    event.stopPropagation();
    if (!device) return;
    if (device.playback(eventId)) device.stopped(eventId);
    else device.playing(eventId, { positionMs: 0 });
    show();
  };
  button.addEventListener('click', toggle);
  cards.addEventListener('click', (event) => {
    if (device && !device.playback(eventId)) toggle(event);
  });
  const playing = document.createElement('span');
  playing.className = 'playing';
  playing.textContent = 'Playing';
  heading.append(button, playing);
  show();
}

async function start() {
  let config;
  try {
    const answer = await fetch('config.json', { cache: 'no-store' });
    if (!answer.ok) throw new Error(`config.json: ${answer.status}`);
    config = await answer.json();
  } catch (error) {
    pill.textContent = 'no device token';
    say('This bundle API offers no device token to the home screen (only kickoff serve and demo do, with the '
      + 'development secret or --offer-home-tokens). ' + error.message);
    return;
  }
  if (config.console) {
    const link = document.getElementById('console-link');
    link.href = config.console;
    link.hidden = false;
  }
  const token = pickToken(config);
  const claims = tokenClaims(token) || {};
  device = connect({
    gateway: config.gateway,
    bundleApi: config.bundleApi || location.origin,
    token,
    clientVersion: 'kickoff-home/1',
    onStage: renderEvent,
    onConnection(state, detail) {
      pill.dataset.state = state;
      pill.textContent = state === 'connected' ? `connected to ${detail.nodeId || 'gateway'}`
        : state === 'waiting' ? `reconnecting in ${Math.ceil((detail.delayMs || 0) / 1000)} s` : state;
      if (state === 'connected') say('');
      if (state === 'unauthorized') say('The device token was refused or expired: reload the page for a new one.');
    },
    onError(error) {
      if (error.kind === 'bundle') say(`could not fetch the bundle: ${error.message}`);
    },
  });
  document.getElementById('device').textContent = `device ${claims.sub || '?'} · segment ${claims.seg || '?'}`;
  window.kickoffDevice = device; // for the browser console and tests
}

start();
