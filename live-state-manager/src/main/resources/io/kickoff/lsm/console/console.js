// The producer console: events, going live, watching a broadcast reach devices, what devices will show, history.
// Everything it knows comes from the admin API on this origin (api.js) and, for renderings, the bundle API named
// in config.json. No build step: plain ES modules, uPlot from its WebJar for the delivery curve.
import { call, session, ApiProblem } from './api.js';
import { DeliveryChart } from './delivery.js';
import { AudienceChart, playsAfter, watching } from './audience.js';

const STAGES = ['SCHEDULED', 'PREFETCH', 'PRE_SHOW', 'LIVE', 'ENDED', 'CANCELLED'];
const FORM_FIELDS = ['id', 'title', 'scheduled_start', 'expected_end', 'prefetch_lead', 'pre_show_lead', 'segments',
  'auto_end'];
const LIST_EVERY_MS = 2000;
const DELIVERY_EVERY_MS = 1000;
const AUDIENCE_EVERY_MS = 2000;
const HISTORY_EVERY_MS = 5000;

const $ = (id) => document.getElementById(id);
const state = {
  me: null, config: { bundle_api: null }, events: [], shown: null, etag: null, formMode: null,
  timers: [], chart: null, audience: null,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// ---- time ----

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit',
    minute: '2-digit', second: '2-digit' });
}

/** "in 1h 02m 03s", "in 4m 05s", "due now" */
export function countdown(iso, now = Date.now()) {
  let s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'due now';
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `in ${h}h ${pad(m)}m ${pad(s)}s` : `in ${m}m ${pad(s)}s`;
}

function tickCountdowns() {
  for (const node of document.querySelectorAll('[data-countdown]')) {
    node.textContent = countdown(node.dataset.countdown);
  }
}

function audience(event) {
  return event.segments.length ? event.segments.join(', ') : 'everyone';
}

function stageChip(stage) {
  return el('span', { class: `stage stage-${stage.toLowerCase()}`, text: stage });
}

// ---- sign-in ----

async function start() {
  $('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    session.signIn($('token').value.trim());
    $('token').value = '';
    await enter();
  });
  $('sign-out').addEventListener('click', () => { session.signOut(); location.reload(); });
  $('stage-filter').addEventListener('change', refreshList);
  $('new-event').addEventListener('click', () => openForm('create'));
  $('edit-event').addEventListener('click', () => openForm('edit'));
  $('form-cancel').addEventListener('click', closeForm);
  $('event-form').addEventListener('submit', (e) => { e.preventDefault(); saveForm(); });
  $('banner-close').addEventListener('click', hideBanner);
  $('banner-reload').addEventListener('click', () => { hideBanner(); show(state.shown.id); });
  $('detail-refresh').addEventListener('click', () => show(state.shown.id));
  try {
    const config = await fetch('config.json', { cache: 'no-store' });
    if (config.ok) state.config = await config.json();
  } catch { /* no bundle API then */ }
  if (state.config.home_screen) {
    $('home-link').href = state.config.home_screen;
    $('home-link').hidden = false;
  }
  if (session.token()) await enter(); else signInScreen('');
}

function signInScreen(message) {
  $('app').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('token').focus();
}

async function enter() {
  try {
    state.me = (await call('GET', '/v1/me')).body;
  } catch (e) {
    session.signOut();
    signInScreen(e instanceof ApiProblem && e.status === 401 ? 'That token is not one of this server\u2019s.'
      : `Cannot reach the admin API: ${e.message}`);
    return;
  }
  document.body.classList.toggle('viewer', !state.me.may_write);
  if (!state.me.may_write) {
    // A viewer gets no write controls at all, not merely disabled ones.
    for (const node of document.querySelectorAll('.write')) node.remove();
  }
  $('who-name').textContent = state.me.name;
  $('who-role').textContent = state.me.role.toLowerCase();
  $('who').hidden = false;
  $('sign-in').hidden = true;
  $('app').hidden = false;
  await refreshList();
  state.timers.push(setInterval(refreshList, LIST_EVERY_MS), setInterval(tickCountdowns, 1000));
}

// ---- the list and the timeline ----

async function refreshList() {
  const stage = $('stage-filter').value;
  const events = [];
  let cursor = null;
  try {
    do {
      const query = new URLSearchParams({ limit: '200' });
      if (stage) query.set('stage', stage);
      if (cursor) query.set('cursor', cursor);
      const page = (await call('GET', `/v1/events?${query}`)).body;
      events.push(...page.events);
      cursor = page.next_cursor;
    } while (cursor);
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) { session.signOut(); signInScreen('Signed out: the token is no longer accepted.'); }
    return;
  }
  state.events = events;
  renderList();
  renderTimeline();
  if (state.shown) {
    const current = events.find((e) => e.id === state.shown.id);
    $('detail-stale').hidden = !current || current.version === state.shown.version;
  }
}

function renderList() {
  const body = $('events').tBodies[0];
  body.replaceChildren(...state.events.map((e) => el('tr', {
    'data-id': e.id, class: state.shown && state.shown.id === e.id ? 'selected' : '', onclick: () => show(e.id),
  },
  el('td', {}, el('strong', { text: e.title }), el('br'), el('code', { text: e.id })),
  el('td', {}, stageChip(e.stage)),
  el('td', { class: 'num', text: String(e.seq) }),
  el('td', { text: audience(e) }),
  el('td', {}, e.next_transition
    ? el('span', {}, `${e.next_transition.to} `, el('span', { class: 'countdown', 'data-countdown': e.next_transition.at,
      text: countdown(e.next_transition.at) }))
    : el('span', { class: 'muted', text: '—' })))));
  $('events-empty').hidden = state.events.length > 0;
}

/** Today's and upcoming events on a 48-hour axis from the start of today: prefetch → start → expected end. */
function renderTimeline() {
  const dayStart = new Date(); dayStart.setHours(0, 0, 0, 0);
  const from = dayStart.getTime();
  const span = 48 * 3600 * 1000;
  const rows = state.events
    .filter((e) => e.stage !== 'ENDED' && e.stage !== 'CANCELLED')
    .filter((e) => Date.parse(e.expected_end || e.scheduled_start) >= from)
    .sort((a, b) => Date.parse(a.scheduled_start) - Date.parse(b.scheduled_start));
  const pct = (t) => Math.max(0, Math.min(100, ((t - from) / span) * 100));
  const nowMark = el('div', { class: 'now-mark', title: 'now' });
  nowMark.style.left = `${pct(Date.now())}%`;
  const items = rows.map((e) => {
    const bar = el('div', { class: `bar stage-${e.stage.toLowerCase()}` });
    const startAt = Date.parse(e.prefetch_at);
    const endAt = Date.parse(e.expected_end || e.scheduled_start) + (e.expected_end ? 0 : 3600 * 1000);
    bar.style.left = `${pct(startAt)}%`;
    bar.style.width = `${Math.max(0.8, pct(endAt) - pct(startAt))}%`;
    const live = el('div', { class: 'start-mark', title: 'start' });
    live.style.left = `${pct(Date.parse(e.scheduled_start))}%`;
    return el('div', { class: 'timeline-row', 'data-id': e.id, onclick: () => show(e.id) },
      el('div', { class: 'timeline-label' }, el('span', { text: when(e.scheduled_start) }), ' ',
        el('strong', { text: e.title }), ' ', stageChip(e.stage)),
      el('div', { class: 'timeline-track' }, bar, live));
  });
  const axis = el('div', { class: 'timeline-axis' },
    el('span', { text: 'today' }), el('span', { text: 'tomorrow' }), el('span', { text: '' }));
  $('timeline').replaceChildren(axis, ...items, rows.length ? nowMark : el('p', { class: 'muted', text: 'Nothing today or later.' }));
}

// ---- one event ----

async function show(id) {
  closeForm();
  let answer;
  try {
    answer = await call('GET', `/v1/events/${encodeURIComponent(id)}`);
  } catch (e) {
    banner(`Cannot show ${id}: ${e.message}`);
    return;
  }
  if (!state.shown || state.shown.id !== id) {
    stopWatching();
    state.chart = new DeliveryChart($('delivery-chart'));
    state.audience = { chart: new AudienceChart($('audience-chart')), since: null, unavailable: false };
    $('audience-now').textContent = '';
    $('audience-plays').textContent = '';
    $('audience-unavailable').hidden = true;
    state.timers.push(setInterval(() => refreshDelivery(id), DELIVERY_EVERY_MS),
      setInterval(() => refreshHistory(id), HISTORY_EVERY_MS),
      setInterval(() => refreshAudience(id), AUDIENCE_EVERY_MS));
  }
  state.shown = answer.body;
  state.etag = answer.etag;
  renderDetail();
  renderList();
  refreshDelivery(id);
  refreshHistory(id);
  refreshAudience(id);
  refreshRenderings();
}

function stopWatching() {
  // keep the list and countdown timers (the first two); drop those of the event shown before
  for (const timer of state.timers.splice(2)) clearInterval(timer);
  if (state.chart) state.chart.destroy();
  if (state.audience) state.audience.chart.destroy();
}

function renderDetail() {
  const e = state.shown;
  $('detail-empty').hidden = true;
  $('detail').hidden = false;
  $('detail-stale').hidden = true;
  $('detail-title').textContent = e.title;
  $('detail-id').textContent = e.id;
  $('detail-version').textContent = String(e.version);
  $('detail-seq').textContent = String(e.seq);
  $('detail-stage').replaceWith(Object.assign(stageChip(e.stage), { id: 'detail-stage' }));
  $('detail-audience').textContent = audience(e);
  $('detail-start').textContent = when(e.scheduled_start);
  $('detail-prefetch').textContent = `${when(e.prefetch_at)} (${e.prefetch_lead} before)`;
  $('detail-preshow').textContent = `${when(e.pre_show_at)} (${e.pre_show_lead} before)`;
  $('detail-end').textContent = e.expected_end ? `${when(e.expected_end)}${e.auto_end ? ', ends by itself' : ''}` : '—';
  $('detail-next').replaceChildren(e.next_transition
    ? el('span', {}, `${e.next_transition.to} at ${when(e.next_transition.at)}, `,
      el('span', { 'data-countdown': e.next_transition.at, text: countdown(e.next_transition.at) }))
    : '—');
  const transitions = $('transitions');
  if (transitions) {
    transitions.replaceChildren(...e.next_stages.map((stage) => el('button', {
      type: 'button', class: `transition to-${stage.toLowerCase()}${stage === 'CANCELLED' ? ' danger' : ''}`,
      'data-to': stage, text: stage === 'LIVE' ? 'Go LIVE' : `Move to ${stage}`, onclick: () => confirmTransition(stage),
    })));
  }
  const edit = $('edit-event');
  if (edit) edit.hidden = e.stage === 'ENDED' || e.stage === 'CANCELLED';
}

// ---- go live ----

function confirmTransition(stage) {
  const e = state.shown;
  const dialog = $('confirm');
  $('confirm-title').textContent = `Move \u201c${e.title}\u201d to ${stage}?`;
  $('confirm-text').textContent = `Event ${e.id} (now ${e.stage}, seq ${e.seq}) goes to ${stage} for its audience: `
    + `${audience(e)}. Every device of that audience is sent the update at once; it cannot be undone.`;
  $('confirm-ok').textContent = stage === 'LIVE' ? 'Go LIVE' : `Move to ${stage}`;
  $('confirm-reason').value = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'ok') transition(stage, $('confirm-reason').value.trim());
  };
  dialog.returnValue = '';
  dialog.showModal();
}

async function transition(stage, reason) {
  const e = state.shown;
  const body = reason ? { to: stage, reason } : { to: stage };
  try {
    const answer = await call('POST', `/v1/events/${encodeURIComponent(e.id)}/transitions`,
      { body, ifMatch: state.etag, write: true });
    state.shown = answer.body;
    state.etag = answer.etag;
    renderDetail();
    refreshList();
    refreshHistory(e.id);
    refreshRenderings();
  } catch (err) {
    explain(err, `${e.title} was not moved to ${stage}`);
  }
}

/** What a refused write means, in the banner; a 412 offers to reload the event. */
function explain(err, what) {
  if (err instanceof ApiProblem && err.status === 412) {
    banner(`${what}: the event changed since this page showed it (it is now at version `
      + `${(err.problem.current_etag || '').replaceAll('"', '')}, this page showed version ${state.shown.version}). `
      + 'Nothing was applied. Reload the event, check it, and try again.', true);
  } else if (err instanceof ApiProblem && err.status === 409 && err.problem.current_stage) {
    banner(`${what}: ${err.problem.detail}`, true);
  } else if (err instanceof ApiProblem) {
    banner(`${what}: ${err.message}`);
  } else {
    banner(`${what}: the admin API could not be reached (${err.message}). It was retried with the same `
      + 'Idempotency-Key, so it was applied at most once; reload the event to see.', true);
  }
}

function banner(text, offerReload = false) {
  $('banner-text').textContent = text;
  $('banner-reload').hidden = !offerReload || !state.shown;
  $('banner').hidden = false;
}

function hideBanner() {
  $('banner').hidden = true;
}

// ---- create and edit ----

function openForm(mode) {
  state.formMode = mode;
  clearFieldErrors();
  const form = $('event-form');
  form.reset();
  $('form-title').textContent = mode === 'create' ? 'New event' : `Edit ${state.shown.title}`;
  $('f-id').disabled = mode !== 'create';
  if (mode === 'edit') {
    const e = state.shown;
    $('f-id').value = e.id;
    $('f-title').value = e.title;
    $('f-scheduled_start').value = e.scheduled_start;
    $('f-expected_end').value = e.expected_end || '';
    $('f-prefetch_lead').value = e.prefetch_lead;
    $('f-pre_show_lead').value = e.pre_show_lead;
    $('f-segments').value = e.segments.join(', ');
    $('f-segments').disabled = true; // the audience is fixed once created
    $('f-auto_end').checked = e.auto_end;
    $('detail').hidden = true;
  } else {
    $('f-segments').disabled = false;
    $('detail').hidden = true;
    $('detail-empty').hidden = true;
  }
  form.hidden = false;
  (mode === 'create' ? $('f-id') : $('f-title')).focus();
}

function closeForm() {
  $('event-form').hidden = true;
  state.formMode = null;
  if (state.shown) $('detail').hidden = false; else $('detail-empty').hidden = false;
}

function clearFieldErrors() {
  for (const node of document.querySelectorAll('.field-error')) node.textContent = '';
  for (const node of document.querySelectorAll('.field')) node.classList.remove('invalid');
  for (const name of FORM_FIELDS) $(`f-${name}`).removeAttribute('aria-invalid');
  $('form-error').textContent = '';
}

function formBody() {
  const value = (name) => $(`f-${name}`).value.trim();
  const body = {};
  for (const name of ['id', 'title', 'scheduled_start', 'expected_end', 'prefetch_lead', 'pre_show_lead']) {
    if (value(name)) body[name] = value(name);
  }
  const segments = value('segments').split(',').map((s) => s.trim()).filter(Boolean);
  if (segments.length) body.segments = segments;
  body.auto_end = $('f-auto_end').checked;
  return body;
}

async function saveForm() {
  clearFieldErrors();
  const body = formBody();
  try {
    let answer;
    if (state.formMode === 'create') {
      answer = await call('POST', '/v1/events', { body, write: true });
    } else {
      const e = state.shown;
      const changes = {};
      for (const name of ['title', 'scheduled_start', 'expected_end', 'prefetch_lead', 'pre_show_lead', 'auto_end']) {
        const before = e[name] ?? undefined;
        if (body[name] !== undefined && body[name] !== before) changes[name] = body[name];
      }
      if (!Object.keys(changes).length) { closeForm(); return; }
      answer = await call('PATCH', `/v1/events/${encodeURIComponent(e.id)}`,
        { body: changes, ifMatch: state.etag, write: true });
    }
    closeForm();
    await refreshList();
    await show(answer.body.id);
  } catch (err) {
    const field = err instanceof ApiProblem ? err.problem.field : null;
    if (field && FORM_FIELDS.includes(field)) {
      // The API's problem names the field at fault: the message goes next to it.
      $(`err-${field}`).textContent = err.problem.detail;
      $(`f-${field}`).setAttribute('aria-invalid', 'true');
      $(`f-${field}`).closest('.field').classList.add('invalid');
      $(`f-${field}`).focus();
    } else if (err instanceof ApiProblem && err.status === 412) {
      $('form-error').textContent = 'The event changed since you opened this form; nothing was saved. '
        + 'Cancel, check the current version, and edit again.';
      explain(err, `${state.shown.title} was not changed`);
    } else {
      $('form-error').textContent = err.message;
    }
  }
}

// ---- delivery ----

async function refreshDelivery(id) {
  let delivery;
  try {
    delivery = (await call('GET', `/v1/events/${encodeURIComponent(id)}/delivery`)).body;
  } catch { return; }
  if (!state.shown || state.shown.id !== id) return;
  $('delivery-nodes').textContent = `${delivery.gateway_nodes} gateway node${delivery.gateway_nodes === 1 ? '' : 's'} reporting delivery`;
  state.chart.add(Date.now() / 1000, delivery.deliveries);
  const body = $('delivery').tBodies[0];
  const nodeRows = (d) => (d.nodes.length > 1 ? d.nodes : []).map((n) => el('tr', { class: 'node-row', 'data-node': n.node },
    el('td', {}), el('td', { class: 'muted', text: `node ${n.node}` }),
    el('td', { class: 'num', text: String(n.targeted) }), el('td', { class: 'num', text: String(n.written) }),
    el('td', { class: 'num', text: String(n.acked) }),
    el('td', { class: 'num', text: `${n.acked_percent.toFixed(n.acked_percent === 100 ? 0 : 1)} %` }),
    el('td', { class: 'num', text: `${n.p50_ms.toFixed(1)} ms` }), el('td', { class: 'num', text: `${n.p99_ms.toFixed(1)} ms` }),
    el('td', {})));
  body.replaceChildren(...delivery.deliveries.flatMap((d) => [el('tr', { 'data-seq': String(d.seq) },
    el('td', { class: 'num', text: String(d.seq) }),
    el('td', { text: when(d.issued_at) }),
    el('td', { class: 'num targeted', text: String(d.targeted) }),
    el('td', { class: 'num written', text: String(d.written) }),
    el('td', { class: 'num acked', text: String(d.acked) }),
    el('td', { class: 'num acked-percent', text: `${d.acked_percent.toFixed(d.acked_percent === 100 ? 0 : 1)} %` }),
    el('td', { class: 'num', text: `${d.p50_ms.toFixed(1)} ms` }),
    el('td', { class: 'num', text: `${d.p99_ms.toFixed(1)} ms` }),
    el('td', { class: 'num', text: `${d.nodes_reporting} of ${delivery.gateway_nodes}`,
      title: d.nodes.map((n) => n.node).join(', ') })), ...nodeRows(d)]));
  if (!delivery.deliveries.length) {
    body.append(el('tr', {}, el('td', { colspan: '9', class: 'muted', text: 'No gateway has reported this event yet.' })));
  }
}

// ---- audience ----

/**
 * The audience curve and figures, every 2 s: the whole last hour first, then only the points from the newest one on.
 * Without an audience source (memory mode) the API answers 503 audience-unavailable: the page says so, once.
 */
async function refreshAudience(id) {
  const watch = state.audience;
  if (!watch || watch.unavailable || watch.busy) return;
  watch.busy = true;
  let answer;
  try {
    const query = watch.since ? `?since=${encodeURIComponent(watch.since)}` : '';
    answer = (await call('GET', `/v1/events/${encodeURIComponent(id)}/audience${query}`)).body;
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 503 && String(e.problem.type).endsWith('/audience-unavailable')
        && state.audience === watch) {
      watch.unavailable = true;
      $('audience-unavailable').textContent = 'The audience needs Kafka: this platform runs without it (memory mode) '
        + 'or without an audience service, so nobody counts who is watching.';
      $('audience-unavailable').hidden = false;
    }
    return;
  } finally {
    watch.busy = false;
  }
  if (state.audience !== watch || !state.shown || state.shown.id !== id) return;
  if (answer.series.length) {
    watch.chart.add(answer.series);
    watch.since = answer.series[answer.series.length - 1].t;
  }
  $('audience-now').textContent = answer.as_of ? `${watching(answer)} (as of ${when(answer.as_of)})`
    : 'Nobody has watched this event in the last hour.';
  $('audience-plays').textContent = playsAfter(answer.broadcasts) || '';
}

// ---- history ----

async function refreshHistory(id) {
  let history;
  try {
    history = (await call('GET', `/v1/events/${encodeURIComponent(id)}/history`)).body.history;
  } catch { return; }
  if (!state.shown || state.shown.id !== id) return;
  $('history').tBodies[0].replaceChildren(...history.slice().reverse().map((h) => el('tr', {},
    el('td', { text: when(h.at) }),
    el('td', { class: 'actor', text: h.actor }),
    el('td', {}, stageChip(h.stage)),
    el('td', { class: 'reason', text: h.reason }),
    el('td', { class: 'num', text: String(h.seq) }))));
}

// ---- what devices will show ----

async function refreshRenderings() {
  const e = state.shown;
  const target = $('renderings');
  if (!state.config.bundle_api) {
    target.replaceChildren(el('p', { class: 'muted', text: 'No bundle API is configured for this console '
      + '(kickoff lsm --bundle-api URL; kickoff serve sets it).' }));
    return;
  }
  if (!e.segments.length) {
    target.replaceChildren(el('p', { class: 'muted', text: 'This event is for everyone: renderings are per segment; '
      + 'give the event segments to see them.' }));
    return;
  }
  const sections = await Promise.all(e.segments.map((segment) => renderingsOf(e, segment)));
  if (state.shown && state.shown.id === e.id) target.replaceChildren(...sections);
}

async function renderingsOf(e, segment) {
  const section = el('section', { class: 'segment', 'data-segment': segment }, el('h4', { text: `Segment ${segment}` }));
  let bundles;
  try {
    const response = await fetch(`${state.config.bundle_api}/v1/bundles?segment=${encodeURIComponent(segment)}`,
      { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) {
      section.append(el('p', { class: 'muted', text: `The bundle API answers ${response.status} for this segment.` }));
      return section;
    }
    bundles = await response.json();
  } catch (err) {
    section.append(el('p', { class: 'error', text: `The bundle API at ${state.config.bundle_api} cannot be reached `
      + `from this page (${err.message}); it must allow this origin (CORS).` }));
    return section;
  }
  const bundle = bundles.find((b) => b.eventId === e.id);
  if (!bundle) {
    section.append(el('p', { class: 'muted', text: 'No bundle yet: the prefetch node makes one when the event is in its catalog '
      + 'and reaches PREFETCH.' }));
    return section;
  }
  section.append(el('p', { class: 'muted', text: `bundle ${bundle.version}` }));
  const row = el('div', { class: 'renderings' });
  for (const stage of STAGES.filter((s) => bundle.stages && bundle.stages[s])) {
    const r = bundle.stages[stage];
    const card = el('div', { class: `rendering${stage === e.stage ? ' current' : ''}`, 'data-stage': stage },
      el('div', { class: 'rendering-stage' }, stageChip(stage), stage === e.stage ? el('span', { class: 'muted', text: ' now' }) : null),
      el('div', { class: 'row-title', text: r.rowTitle || '' }),
      r.callToAction ? el('div', { class: 'cta', text: r.callToAction }) : null,
      el('div', { class: 'badges' }, ...(r.badges || []).map((b) => el('span', { class: 'badge', text: b }))));
    for (const title of (r.titles || []).slice(0, 3)) {
      card.append(el('div', { class: 'title-card' },
        title.artworkUrl ? el('img', { src: title.artworkUrl, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer',
          onerror: (e) => e.target.classList.add('missing') }) : null,
        el('span', { text: title.name || title.titleId })));
    }
    row.append(card);
  }
  section.append(row);
  return section;
}

start();
