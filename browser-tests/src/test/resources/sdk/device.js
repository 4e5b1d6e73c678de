// A bare device page for tests: the test starts the SDK with its options and reads what happened.
import * as sdk from './sdk/kickoff-device.js';

const log = { stages: [], connections: [], bundles: [], errors: [] };

function show() {
  const device = window.device;
  document.getElementById('connection').textContent = device ? device.state.connection : 'idle';
  const list = document.getElementById('events');
  list.replaceChildren(...Object.entries(device ? device.state.events : {}).map(([id, e]) => {
    const item = document.createElement('li');
    item.textContent = `${id} ${e.stage} ${e.seq}`;
    return item;
  }));
}

window.kickoffTest = {
  start(options) {
    window.device = sdk.connect({
      ...options,
      onStage(eventId, stage, rendering, info) {
        log.stages.push({
          eventId, stage, seq: info.seq, source: info.source, version: info.bundle ? info.bundle.version : null,
          rowTitle: rendering ? rendering.rowTitle || null : null,
        });
        show();
      },
      onConnection(state, detail) {
        log.connections.push({ state, ...detail, at: Date.now() });
        show();
      },
      onBundle(bundle, source) {
        log.bundles.push({ eventId: bundle.eventId, version: bundle.version, source });
      },
      onError(error) {
        log.errors.push({ kind: error.kind, message: error.message });
      },
    });
    return true;
  },
  snapshot() {
    const device = window.device;
    return JSON.stringify({ log, stats: device ? device.stats : null, state: device ? device.state : null });
  },
};
document.title = 'sdk device ready';
