/* The mock's developer console: plain JavaScript, no build step.
 *
 * Panels read the admin endpoints of the mock that serves this page:
 *   Requests   GET /__mock/requests?since=N (polled), GET /__mock/requests/N (bodies)
 *   Operations Swagger UI on /api/<version>/swagger.json; calls go through /__mock/as/<token>/...
 *   State      GET /__mock/state, POST /__mock/reset
 *   Jobs       GET /__mock/jobs, POST /__mock/jobs/finish, /__mock/jobs/<id>/finish|fail
 *   Stubs      GET /__mock/stubs, POST /__mock/stubs, DELETE /__mock/stubs[/<id>]
 *   Tokens     GET /__mock/tokens
 * Each tab has its own URL fragment (/__mock/console#state): links, reloads and Back keep it.
 * When the mock's tokens define an admin token, every /__mock/ call carries its key (asked once,
 * kept in sessionStorage); the key of the token picked in "Call as" stays on the server.
 * Everything is built with DOM calls and textContent: nothing from the mock is parsed as HTML.
 */
(function () {
  "use strict";

  const POLL_MS = 1000;
  const MAX_ROWS = 1000;
  const TYPED_KEY = "typed";
  const NO_KEY = "none";
  const ADMIN_KEY_STORE = "mock-console-admin-key";

  const state = {
    lastSeq: 0,
    features: { versions: [], jobs: false },
    tokens: [],
    activeTab: "requests",
    swaggerVersion: null,
    drawn: {},
    adminKey: sessionStorage.getItem(ADMIN_KEY_STORE) || "",
  };

  // -- small helpers ------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }

  /** An element with attributes (on* keys become listeners) and children (strings become text). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /** Headers for a call under /__mock/: the admin key, when this mock needs one. */
  function adminHeaders() {
    return state.adminKey ? { "X-API-Key": state.adminKey } : {};
  }

  /** JSON from an admin endpoint; a failure shows in the header and rejects (with .status). */
  async function admin(path, options) {
    let response;
    try {
      response = await fetch(path, Object.assign({ credentials: "same-origin", headers: adminHeaders() }, options));
    } catch (error) {
      showStatus("the mock is not reachable");
      throw error;
    }
    showStatus("");
    const body = await jsonOrNull(response);
    if (!response.ok) {
      const detail = (body && body.detail) || response.statusText;
      showStatus(`${path}: ${response.status} ${detail}`);
      throw Object.assign(new Error(detail), { status: response.status });
    }
    return body;
  }

  /** The body as JSON, or null when it is empty or not JSON (an HTML error page, say). */
  async function jsonOrNull(response) {
    const text = await response.text();
    try {
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function showStatus(message) { $("status").textContent = message; }

  function pretty(value) { return JSON.stringify(value, null, 2); }

  /** The path prefix that makes a call as the token picked in "Call as" (null: leave the call alone). */
  function asPrefix() {
    const who = $("token").value;
    return who === TYPED_KEY ? null : `/__mock/as/${who}`;
  }

  // -- tabs -----------------------------------------------------------------------------------
  /** The tab a URL fragment names (#requests, #operations, #state, #jobs, #tokens, #stubs), or null. */
  function tabOfHash() {
    const name = decodeURIComponent(location.hash.replace(/^#/, ""));
    return document.querySelector(`#tabs button[data-tab="${CSS.escape(name)}"]`) ? name : null;
  }

  /** Show a panel; its fragment goes into the URL (a new history entry), so a tab can be linked
   * to, reloaded and reached with Back. */
  function showTab(name, remember = true) {
    if (remember && location.hash !== `#${name}`) history.pushState(null, "", `#${name}`);
    state.activeTab = name;
    for (const button of document.querySelectorAll("#tabs button")) {
      button.classList.toggle("active", button.dataset.tab === name);
    }
    for (const panel of document.querySelectorAll(".panel")) {
      panel.classList.toggle("active", panel.id === `panel-${name}`);
    }
    refreshActive();
  }

  function refreshActive() {
    const refresh = { state: loadState, jobs: loadJobs, stubs: loadStubs, tokens: loadTokens, operations: showOperations };
    if (refresh[state.activeTab]) refresh[state.activeTab]().catch(() => {});
  }

  // -- tokens and the "Call as" picker -----------------------------------------------------------
  async function loadTokens() {
    const { tokens } = await admin("/__mock/tokens");
    state.tokens = tokens;
    $("token-rows").replaceChildren(
      ...tokens.map((t) =>
        el("tr", { "data-token": t.id },
          el("td", {}, t.name),
          el("td", {}, el("code", {}, t.key)),
          el("td", {}, t.permission),
          el("td", {}, t.scope),
          el("td", { className: t.expired ? "state-failed" : "" }, t.expires ? `${t.expires}${t.expired ? " (expired)" : ""}` : "never"),
        ),
      ),
    );
    return tokens;
  }

  function fillTokenPicker(tokens) {
    const picker = $("token");
    const saved = sessionStorage.getItem("mock-console-token");
    const writer = tokens.find((t) => t.permission !== "read" && t.scope === "account" && !t.expired);
    picker.replaceChildren(
      ...tokens.map((t) => el("option", { value: String(t.id) }, `${t.name} (${t.key}, ${t.permission}, ${t.scope})`)),
      el("option", { value: NO_KEY }, "no key"),
      el("option", { value: TYPED_KEY }, "the key typed in Authorize"),
    );
    const options = Array.from(picker.options).map((o) => o.value);
    picker.value = options.includes(saved) ? saved : writer ? String(writer.id) : options[0];
    picker.addEventListener("change", () => sessionStorage.setItem("mock-console-token", picker.value));
  }

  // -- requests -------------------------------------------------------------------------------
  async function pollRequests() {
    let entries = [];
    try {
      entries = await admin(`/__mock/requests?since=${state.lastSeq}`);
    } catch (error) {
      return;
    }
    if (state.activeTab === "state" || state.activeTab === "jobs") refreshActive(); // jobs move with time
    if (!entries.length) return;
    const rows = $("log-rows");
    for (const entry of entries) {
      if (entry.seq <= state.lastSeq) continue; // an earlier poll that answered late already drew it
      state.lastSeq = entry.seq;
      rows.prepend(logRow(entry));
    }
    while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
  }

  /** Whether ``data`` differs from what ``panel`` last drew (redrawing the same would lose scroll and focus). */
  function changed(panel, data) {
    const text = JSON.stringify(data);
    if (state.drawn[panel] === text) return false;
    state.drawn[panel] = text;
    return true;
  }

  function logRow(entry) {
    const time = new Date(entry.time * 1000);
    const path = entry.query ? `${entry.path}?${entry.query}` : entry.path;
    const notes = [];
    const problems = entry.problems || [];
    const leniencies = entry.leniencies || [];
    if (problems.length) {
      notes.push(el("ul", { className: "problems" },
        problems.map((p) => el("li", {}, el("code", {}, p.location || ""), " ", p.message || pretty(p)))));
    }
    if (leniencies.length) { // {"leniency": id from contracts/platform/data/leniencies.yaml, "location"}
      notes.push(el("ul", { className: "leniencies" },
        leniencies.map((l) => el("li", {}, "leniency ", el("code", {}, l.leniency || pretty(l)), l.location ? ` at ${l.location}` : ""))));
    }
    const row = el("tr", { className: "entry fresh", "data-seq": entry.seq, onclick: () => toggleDetail(row, entry.seq) },
      el("td", {}, entry.seq),
      el("td", {}, time.toLocaleTimeString([], { hour12: false }) + "." + String(time.getMilliseconds()).padStart(3, "0")),
      el("td", { className: "method" }, entry.method),
      el("td", { className: "path" }, el("code", {}, path)),
      el("td", { className: `status status-${String(entry.status)[0]}` }, entry.status),
      el("td", {}, entry.ms),
      el("td", { className: "key" }, entry.key || "no key"),
      el("td", { className: "notes" }, notes),
    );
    return row;
  }

  async function toggleDetail(row, seq) {
    const next = row.nextElementSibling;
    if (next && next.classList.contains("detail")) {
      next.remove();
      return;
    }
    const cell = el("td", { colspan: 8 }, "loading…");
    row.after(el("tr", { className: "detail", "data-detail": seq }, cell));
    try {
      const entry = await admin(`/__mock/requests/${seq}`);
      cell.replaceChildren(el("div", { className: "bodies" },
        bodyView("request body", entry.request),
        bodyView("response body", entry.response)));
    } catch (error) {
      cell.textContent = `not available: ${error.message}`;
    }
  }

  function bodyView(title, body) {
    if (body === null || body === undefined) return el("div", {}, el("h4", {}, title), el("p", { className: "muted" }, "no longer kept (the log keeps bodies of recent requests)"));
    if (!body.size) return el("div", {}, el("h4", {}, title), el("p", { className: "muted" }, "empty"));
    const text = "json" in body ? pretty(body.json) : body.text;
    const note = body.truncated ? ` (first ${body.text.length} characters of ${body.size} bytes)` : ` (${body.size} bytes)`;
    return el("div", {}, el("h4", {}, title, el("small", { className: "muted" }, note)), el("pre", { className: "body" }, text));
  }

  // -- operations (Swagger UI) ------------------------------------------------------------------
  async function showOperations() {
    const version = $("version").value;
    if (!version || version === state.swaggerVersion || typeof SwaggerUIBundle === "undefined") return;
    state.swaggerVersion = version;
    SwaggerUIBundle({
      url: `/api/${version}/swagger.json`,
      dom_id: "#swagger",
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      validatorUrl: null, // never ask validator.swagger.io: the console works offline
      deepLinking: false,
      tryItOutEnabled: true,
      requestInterceptor: (request) => {
        const prefix = asPrefix();
        if (request.loadSpec || prefix === null) return request;
        const url = new URL(request.url, window.location.href);
        if (!url.pathname.startsWith("/api/")) return request;
        request.url = `${window.location.origin}${prefix}${url.pathname}${url.search}`;
        Object.assign(request.headers, adminHeaders()); // the mock swaps it for the chosen token's key
        return request;
      },
    });
  }

  // -- state --------------------------------------------------------------------------------------
  async function loadState() {
    const view = await admin("/__mock/state");
    if (!changed("state", view)) return;
    const sections = [];
    for (const [version, { collections }] of Object.entries(view.versions)) {
      sections.push(el("h3", {}, version));
      for (const collection of collections) sections.push(collectionView(collection));
    }
    $("state").replaceChildren(...sections);
  }

  function anchor(collection, id) { return `entity-${collection}-${id}`.replace(/[^A-Za-z0-9_-]/g, "_"); }

  function refLink(ref) {
    return el("a", { href: `#${anchor(ref.collection, ref.id)}`, onclick: (event) => { event.preventDefault(); highlight(ref); } },
      `${ref.collection} ${ref.id.slice(0, 8)}`);
  }

  function highlight(ref) {
    const row = $(anchor(ref.collection, ref.id));
    if (!row) return;
    for (const old of document.querySelectorAll("tr.target")) old.classList.remove("target");
    row.classList.add("target");
    row.scrollIntoView({ block: "center" });
  }

  function collectionView(collection) {
    const under = collection.parent ? ` under ${collection.parent}` : "";
    const rows = collection.entities.map((entity) =>
      el("tr", { id: anchor(collection.name, entity.id), "data-collection": collection.name, "data-id": entity.id },
        el("td", {}, entity.get ? el("a", { href: entity.get, className: "get", onclick: (event) => { event.preventDefault(); openEntity(entity.get); } }, entity.id) : entity.id),
        el("td", { className: "fields" }, Object.entries(entity.fields).map(([k, v]) => el("div", { "data-field": k }, el("span", { className: "muted" }, `${k}: `), String(v)))),
        el("td", {}, entity.parent ? refLink(entity.parent) : el("span", { className: "muted" }, "—")),
        el("td", {}, entity.children.length ? entity.children.map((c) => el("div", {}, refLink(c))) : el("span", { className: "muted" }, "—")),
      ));
    return el("div", { className: "collection", "data-collection": collection.name },
      el("h4", {}, collection.name, el("small", {}, ` ${collection.entities.length} entit${collection.entities.length === 1 ? "y" : "ies"}${under}`)),
      rows.length
        ? el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "id (GET)"), el("th", {}, "fields"), el("th", {}, "parent"), el("th", {}, "children"))), el("tbody", {}, rows))
        : el("p", { className: "muted" }, "none"));
  }

  async function openEntity(path) {
    const prefix = asPrefix() || "";
    const response = await fetch(prefix + path, { credentials: "same-origin", headers: prefix ? adminHeaders() : {} });
    const text = await response.text();
    let shown = text;
    try { shown = pretty(JSON.parse(text)); } catch (error) { /* not JSON: show as is */ }
    $("entity-title").textContent = `GET ${path} → ${response.status}`;
    $("entity-body").textContent = shown;
    $("entity-view").hidden = false;
  }

  async function resetMock() {
    await admin("/__mock/reset", { method: "POST" });
    $("log-rows").replaceChildren();
    state.drawn = {};
    $("entity-view").hidden = true;
    await loadState();
  }

  // -- jobs -----------------------------------------------------------------------------------------
  async function loadJobs() {
    const box = $("jobs");
    $("jobs-finish-all").hidden = !state.features.jobs;
    if (!state.features.jobs) {
      box.replaceChildren(el("p", { className: "muted", id: "no-lifecycles" }, "no lifecycles: this mock has no jobs"));
      return;
    }
    const { jobs } = await admin("/__mock/jobs");
    if (!changed("jobs", jobs)) return;
    if (!jobs.length) {
      box.replaceChildren(el("p", { className: "muted" }, "no jobs yet: they start when a client uploads a file or asks for a passport"));
      return;
    }
    const rows = jobs.map((job) => {
      const entity = job.entity || {};
      const running = job.state === "running";
      return el("tr", { "data-job": job.id, "data-state": job.state },
        el("td", {}, job.id),
        el("td", {}, job.version),
        el("td", {}, job.kind),
        el("td", {}, entity.path ? el("a", { href: entity.path, className: "get", onclick: (event) => { event.preventDefault(); showTab("state"); openEntity(entity.path); } }, `${entity.collection} ${entity.id}`) : `${entity.collection || ""} ${entity.id || ""}`),
        el("td", { className: "job-status" }, job.status, job.next ? el("span", { className: "muted" }, ` → ${job.next}`) : null),
        el("td", {}, job.due ? new Date(job.due * 1000).toLocaleTimeString([], { hour12: false }) : ""),
        el("td", { className: `state-${job.state}` }, job.state),
        el("td", {},
          running ? el("button", { type: "button", className: "finish", onclick: () => jobAction(`/__mock/jobs/${encodeURIComponent(job.id)}/finish`) }, "Finish") : null,
          running ? el("button", { type: "button", className: "fail danger", onclick: () => jobAction(`/__mock/jobs/${encodeURIComponent(job.id)}/fail`) }, "Fail") : null),
      );
    });
    box.replaceChildren(el("table", { id: "job-table" },
      el("thead", {}, el("tr", {}, ["id", "version", "kind", "entity", "status", "due", "state", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)));
  }

  async function jobAction(path) {
    try {
      await admin(path, { method: "POST" });
      await loadJobs();
    } catch (error) { /* shown in the header by admin() */ }
  }

  // -- stubs ------------------------------------------------------------------------------------------
  async function loadStubs() {
    const { stubs } = await admin("/__mock/stubs");
    const box = $("stubs");
    if (!stubs.length) {
      box.replaceChildren(el("p", { className: "muted", id: "no-stubs" }, "No stubs: every call is answered by the emulation."));
      return;
    }
    const rows = stubs.map((stub) => el("tr", { "data-stub": stub.id },
      el("td", {}, el("code", {}, stub.id)),
      el("td", {}, stub.operation || el("span", { className: "muted" }, stub.unchecked ? "unchecked" : "")),
      el("td", {}, el("pre", {}, pretty(stub.match))),
      el("td", {}, el("pre", {}, pretty(stub.answer))),
      el("td", { className: "hits" }, String(stub.hits), stub.remaining !== undefined && stub.remaining !== null ? el("span", { className: "muted" }, ` (${stub.remaining} left)`) : null),
      el("td", {}, el("button", { type: "button", className: "delete danger", onclick: () => stubAction(`/__mock/stubs/${encodeURIComponent(stub.id)}`) }, "Remove")),
    ));
    box.replaceChildren(el("table", { id: "stub-table" },
      el("thead", {}, el("tr", {}, ["id", "operation", "match", "answer", "hits", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)));
  }

  async function stubAction(path) {
    try {
      await admin(path, { method: "DELETE" });
      await loadStubs();
    } catch (error) { /* shown in the header by admin() */ }
  }

  /** POST the form's JSON; the mock's refusal (a stub the spec does not allow, say) is shown under it. */
  async function addStub(event) {
    event.preventDefault();
    const error = $("stub-error");
    error.textContent = "";
    let definition;
    try {
      definition = JSON.parse($("stub-json").value);
    } catch (problem) {
      error.textContent = `not JSON: ${problem.message}`;
      return;
    }
    const response = await fetch("/__mock/stubs", {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "Content-Type": "application/json" }, adminHeaders()),
      body: JSON.stringify(definition),
    });
    if (!response.ok) {
      const body = await jsonOrNull(response);
      error.textContent = (body && body.detail) || `${response.status} ${response.statusText}`;
      return;
    }
    await loadStubs();
  }

  /** The tokens, once the admin key (when the mock needs one) is known to work. */
  async function unlock() {
    for (;;) {
      if (!state.features.adminKey || state.adminKey) {
        try {
          return await loadTokens();
        } catch (error) {
          if (error.status !== 401 && error.status !== 403) throw error;
          $("admin-key-error").textContent = error.message;
        }
      }
      state.adminKey = await askAdminKey();
    }
  }

  function askAdminKey() {
    const form = $("admin-key-form");
    form.hidden = false;
    $("admin-key").focus();
    return new Promise((resolve) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        form.hidden = true;
        const key = $("admin-key").value.trim();
        sessionStorage.setItem(ADMIN_KEY_STORE, key);
        resolve(key);
      }, { once: true });
    });
  }

  // -- start ------------------------------------------------------------------------------------------
  async function start() {
    for (const button of document.querySelectorAll("#tabs button")) {
      button.addEventListener("click", () => showTab(button.dataset.tab));
    }
    window.addEventListener("popstate", () => showTab(tabOfHash() || "requests", false));
    $("state-refresh").addEventListener("click", () => loadState().catch(() => {}));
    $("state-reset").addEventListener("click", () => resetMock().catch(() => {}));
    $("jobs-finish-all").addEventListener("click", () => jobAction("/__mock/jobs/finish"));
    $("stubs-refresh").addEventListener("click", () => loadStubs().catch(() => {}));
    $("stubs-delete-all").addEventListener("click", () => stubAction("/__mock/stubs"));
    $("stub-form").addEventListener("submit", (event) => addStub(event).catch((e) => showStatus(e.message)));
    $("version").addEventListener("change", () => showOperations());

    state.features = await admin("/__mock/console/features");
    const tokens = await unlock();
    $("version").replaceChildren(...state.features.versions.map((v) =>
      el("option", { value: v.version }, v.build ? `${v.version} (build ${v.build})` : v.version)));
    fillTokenPicker(tokens);
    const linked = tabOfHash(); // once the data it needs can be read
    if (linked) showTab(linked, false);
    await pollRequests();
    setInterval(pollRequests, POLL_MS);
    document.body.dataset.ready = "true"; // for tests and screenshots: the first data is in
  }

  start().catch((error) => showStatus(`the console could not start: ${error.message}`));
})();
