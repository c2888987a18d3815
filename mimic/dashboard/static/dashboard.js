// Mimic's dashboard: everything here is a same-origin call to the
// control API (/mimic/v1.1).  No service is known by name: resources come
// from the services' own summaries in /state, and the forms for known
// error conditions from their declarations in /failures.
"use strict";

(function () {
  const API = "/mimic/v1.1";
  const PAGE_SIZE = 50;
  const NOT_AVAILABLE = "Not available in this Mimic.";

  // Small DOM helpers.

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function replace(container, ...children) {
    container.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
  }

  function text(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function say(message, isError) {
    const box = $("messages");
    const line = el("p", { class: isError ? "error" : "ok" }, message);
    box.prepend(line);
    while (box.children.length > 4) box.lastChild.remove();
    setTimeout(() => line.remove(), isError ? 15000 : 6000);
  }

  // The control API.

  async function call(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path.startsWith("/") ? path : API + "/" + path, options);
    } catch (error) {
      return { status: 0, ok: false, json: null, text: "", message: "Mimic cannot be reached." };
    }
    const raw = await response.text();
    let json = null;
    try {
      json = raw ? JSON.parse(raw) : null;
    } catch (error) {
      json = null;
    }
    const message = json && typeof json === "object" && json.message ? json.message : raw;
    return { status: response.status, ok: response.ok, json, text: raw, message };
  }

  async function act(method, path, body, done) {
    const answer = await call(method, path, body);
    if (answer.ok) {
      if (done) say(done);
    } else {
      say(`${method} ${path}: ${answer.status} ${answer.message || ""}`, true);
    }
    refreshSoon();
    return answer;
  }

  // A section whose route this Mimic lacks is asked again only now and
  // then (the route may come with an upgrade, not while the page is open).
  const absentUntil = {};
  const ABSENT_RETRY = 60000;

  function unavailable(container, name) {
    if (name) absentUntil[name] = Date.now() + ABSENT_RETRY;
    replace(container, el("p", { class: "unavailable" }, NOT_AVAILABLE));
  }

  // A table, paged in the page.

  const pages = {};

  function table(key, columns, rows, rowAttrs) {
    const page = Math.min(pages[key] || 0, Math.max(0, Math.ceil(rows.length / PAGE_SIZE) - 1));
    pages[key] = page;
    const shown = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const head = el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.title)));
    const body = shown.map((row) =>
      el("tr", rowAttrs ? rowAttrs(row) : {}, columns.map((c) => el("td", { class: c.class || null }, c.cell(row))))
    );
    const parts = [el("table", {}, el("thead", {}, head), el("tbody", {}, body))];
    if (rows.length > PAGE_SIZE) {
      const last = Math.ceil(rows.length / PAGE_SIZE) - 1;
      const go = (to) => () => {
        pages[key] = to;
        Object.keys(lastSeen).forEach(forget);
        if (state) showResources();
        refreshSoon(0);
      };
      parts.push(
        el("div", { class: "pager" },
          el("button", { type: "button", disabled: page === 0, onclick: go(page - 1) }, "Previous"),
          ` ${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + shown.length} of ${rows.length} `,
          el("button", { type: "button", disabled: page === last, onclick: go(page + 1) }, "Next"))
      );
    }
    return parts;
  }

  // Sections.  Each loader fetches what its section shows; a section is
  // polled only while it is on screen (and the page is visible).

  const loaders = {};
  const lastSeen = {};

  function changed(key, answer) {
    // Leave the DOM (and the reader's focus) alone when nothing changed.
    const same = lastSeen[key] === answer.text && answer.text !== undefined;
    lastSeen[key] = answer.text;
    return !same;
  }

  function forget(key) {
    delete lastSeen[key];
  }

  // The clock.

  let clockHasPending = null;

  function eventRows(events) {
    return table("pending", [
      { title: "At", cell: (e) => e.at },
      { title: "In (s)", cell: (e) => (typeof e.in === "number" ? e.in.toFixed(1) : "") },
      { title: "Service", cell: (e) => e.service },
      { title: "Tenant", cell: (e) => e.tenant_id },
      { title: "Region", cell: (e) => e.region },
      { title: "Resource", cell: (e) => `${e.resource || ""} ${e.name || e.id || ""}` },
      { title: "Event", cell: (e) => e.event },
      { title: "Kind", cell: (e) => e.kind },
    ], events);
  }

  function showClock(clock) {
    $("clock-now").textContent = clock.now;
    $("clock-mode").textContent = clock.realtime
      ? "(real time: Mimic was started with --realtime; the clock cannot be ticked)"
      : `(${Number(clock.seconds).toFixed(3)} s since the epoch; moves only when ticked)`;
    for (const id of ["tick-button", "tick-next", "tick-idle"]) $(id).disabled = !!clock.realtime;
    clockHasPending = Array.isArray(clock.pending);
    if (!clockHasPending) {
      $("tick-next").disabled = true;
      $("tick-idle").disabled = true;
      $("tick-next").title = $("tick-idle").title = NOT_AVAILABLE;
      unavailable($("clock-pending"));
    } else {
      // Token and registration expiries are many and rarely the point:
      // listed on request.
      const all = $("clock-expiries").checked;
      const shown = clock.pending.filter((e) => all || e.kind !== "expiry");
      const hidden = clock.pending.length - shown.length;
      replace($("clock-pending"),
        shown.length ? eventRows(shown) : el("p", { class: "muted" }, "Nothing is due."),
        hidden ? el("p", { class: "muted" }, `${hidden} expiries not shown.`) : null);
    }
  }

  loaders.clock = async () => {
    const answer = await call("GET", "clock");
    if (!answer.ok) return unavailable($("clock-pending"));
    if (changed("clock", answer)) showClock(answer.json);
  };

  async function tick(body) {
    const answer = await act("POST", "tick", body);
    if (answer.ok) {
      const done = answer.json;
      const happened = Array.isArray(done.happened) ? done.happened : null;
      replace($("tick-result"),
        `Advanced ${Number(done.advanced).toFixed(3)} s to ${done.now}.`,
        happened === null ? "" : happened.length ? " What happened:" : " Nothing happened.",
        happened && happened.length ? el("ul", {}, happened.map((e) =>
          el("li", {}, `${e.service} ${e.resource || ""} ${e.name || e.id || ""} ${e.event}`))) : null);
      forget("clock");
    }
  }

  // Tenants and resources, from the services' own summaries.

  let state = null;

  function isResourceList(value) {
    return Array.isArray(value) && value.length > 0 && value.every(
      (item) => item && typeof item === "object" && !Array.isArray(item) && "id" in item);
  }

  function resourceLink(service, region, tenant, path) {
    const href = `${API}/resources/${encodeURIComponent(service)}/${encodeURIComponent(region)}/` +
      `${encodeURIComponent(tenant)}/${path.split("/").map(encodeURIComponent).join("/")}`;
    return href;
  }

  function matchesFilter(item, filter) {
    if (!filter) return true;
    return Object.values(item).some((v) => text(v).toLowerCase().includes(filter));
  }

  function resourceTable(key, service, region, tenant, items, filter) {
    const shown = items.filter((item) => matchesFilter(item, filter));
    const columns = [];
    const names = [];
    for (const item of items.slice(0, 20)) {
      for (const name of Object.keys(item)) if (name !== "path" && !names.includes(name)) names.push(name);
    }
    for (const name of names) {
      columns.push({
        title: name.replace(/_/g, " "),
        class: name === "status" ? "status" : null,
        cell: (item) => {
          const value = text(item[name]);
          if (name === "id" && item.path) {
            return el("a", { href: resourceLink(service, region, tenant, item.path), target: "_blank",
              rel: "noopener" }, value);
          }
          if (name === "status") return el("span", { class: "badge status-" + value.toLowerCase() }, value);
          return value;
        },
      });
    }
    if (!shown.length) return el("p", { class: "muted" }, "None match the filter.");
    return table(key, columns, shown, (item) => ({ "data-id": item.id, "data-name": item.name || null }));
  }

  function summaryView(key, service, region, tenant, summary, filter) {
    if (!summary || typeof summary !== "object" || Array.isArray(summary)) {
      return el("p", {}, text(summary));
    }
    const facts = [];
    const tables = [];
    // Ids the resource tables already show are not listed again.
    const listed = new Set();
    for (const value of Object.values(summary)) {
      if (isResourceList(value)) value.forEach((item) => listed.add(item.id));
    }
    for (const [name, value] of Object.entries(summary)) {
      if (Array.isArray(value) && value.length && value.every((v) => listed.has(v))) continue;
      if (isResourceList(value)) {
        tables.push(el("div", { class: "resource-list", "data-kind": name },
          el("h5", {}, `${name.replace(/_/g, " ")} (${value.length})`),
          resourceTable(`${key}/${name}`, service, region, tenant, value, filter)));
      } else if (Array.isArray(value)) {
        // Ids the summary lists beside a count: long lists are shown on demand.
        facts.push(el("div", {}, el("dt", {}, name.replace(/_/g, " ")),
          el("dd", {}, value.length <= 3 ? value.map(text).join(", ") || "none"
            : el("details", {}, el("summary", {}, `${value.length} items`), value.map(text).join(", ")))));
      } else if (value && typeof value === "object") {
        facts.push(el("div", {}, el("dt", {}, name.replace(/_/g, " ")),
          el("dd", {}, Object.entries(value).map(([k, v]) => `${k}: ${text(v)}`).join("; ") || "none")));
      } else {
        facts.push(el("div", {}, el("dt", {}, name.replace(/_/g, " ")), el("dd", {}, text(value))));
      }
    }
    return [facts.length ? el("dl", { class: "facts" }, facts) : null, tables];
  }

  function fillTenantSelect(select, tenants, allLabel) {
    const chosen = select.value;
    const options = [el("option", { value: "" }, allLabel)].concat(
      tenants.map((t) => el("option", { value: t.tenant_id }, `${t.tenant_id} (${t.username})`)));
    const now = options.map((o) => o.value).join("\n");
    if (select.dataset.options !== now) {
      select.replaceChildren(...options);
      select.dataset.options = now;
      select.value = tenants.some((t) => t.tenant_id === chosen) ? chosen : "";
    }
  }

  function showResources() {
    if (!state) return;
    fillTenantSelect($("resources-tenant"), state.tenants, "all tenants");
    fillTenantSelect($("reset-tenant"), state.tenants, "every tenant (everything)");
    const datalist = $("tenant-ids");
    if (datalist) replace(datalist, (state.tenants || []).map((t) => el("option", { value: `^${t.tenant_id}$` })));
    const onlyTenant = $("resources-tenant").value;
    const filter = $("resources-filter").value.trim().toLowerCase();
    const byTenant = {};
    for (const [service, tenants] of Object.entries(state.services || {})) {
      for (const [tenant, regions] of Object.entries(tenants)) {
        if (onlyTenant && tenant !== onlyTenant) continue;
        (byTenant[tenant] = byTenant[tenant] || []).push([service, regions]);
      }
    }
    const users = {};
    for (const t of state.tenants || []) users[t.tenant_id] = t;
    const tenants = Object.keys(byTenant).sort();
    if (!tenants.length) {
      return replace($("resources-body"), el("p", { class: "muted" }, "Mimic holds nothing yet."));
    }
    replace($("resources-body"), tenants.map((tenant) => {
      const user = users[tenant];
      const title = tenant === "*region*" ? "Shared by every tenant" : `Tenant ${tenant}`;
      return el("article", { class: "tenant", "data-tenant": tenant },
        el("h3", {}, title, user ? el("span", { class: "muted" },
          ` user ${user.username}, ${user.live_tokens} live token(s)`) : null),
        byTenant[tenant].sort().map(([service, regions]) =>
          Object.entries(regions).sort().map(([region, summary]) =>
            el("div", { class: "service-region", "data-service": service, "data-region": region },
              el("h4", {}, `${service} · ${region}`),
              summaryView(`${tenant}/${service}/${region}`, service, region, tenant, summary, filter)))));
    }));
  }

  loaders.resources = async () => {
    const answer = await call("GET", "state");
    if (!answer.ok) return unavailable($("resources-body"));
    if (changed("state", answer)) {
      state = answer.json;
      showResources();
      // For measuring how soon a page shows what Mimic holds.
      if (!performance.getEntriesByName("mimic-resources-shown").length) performance.mark("mimic-resources-shown");
      if (state.clock && !loaderVisible("clock")) $("clock-now").textContent = state.clock.now;
    }
  };

  // Registered conditions.

  function registeredRows(behaviors) {
    return table("registered", [
      { title: "Id", cell: (b) => b.id },
      { title: "Event", cell: (b) => b.event_id },
      { title: "Condition", cell: (b) => b.name },
      { title: "Parameters", cell: (b) => el("code", {}, text(b.parameters || {})) },
      { title: "Criteria", cell: (b) => el("code", {}, (b.criteria || []).map(text).join(" ") || "any") },
      { title: "Uses left", cell: (b) => (b.times === null || b.times === undefined ? "∞" : b.times) },
      { title: "Fired", class: "fired-count", cell: (b) => b.fired },
      { title: "", cell: (b) => el("button", {
          type: "button", class: "danger", "data-action": "remove",
          "aria-label": `Remove registration ${b.id} (${b.event_id} ${b.name})`,
          onclick: () => act("DELETE", new URL(b.url, location.href).pathname, undefined,
            `Registration ${b.id} removed.`),
        }, "Remove") },
    ], behaviors, (b) => ({ "data-registration": b.id, "data-event": b.event_id }));
  }

  loaders.registered = async () => {
    const answer = await call("GET", "behaviors");
    if (!answer.ok) return unavailable($("registered-body"));
    if (!changed("behaviors", answer)) return;
    const behaviors = answer.json.behaviors || [];
    replace($("registered-body"), behaviors.length ? registeredRows(behaviors)
      : el("p", { class: "muted" }, "No condition is registered."));
  };

  // Fault coverage.

  loaders.coverage = async () => {
    const answer = await call("GET", "failures/coverage");
    if (answer.status === 404 || !answer.ok || !answer.json || !Array.isArray(answer.json.coverage)) {
      forget("coverage");
      return unavailable($("coverage-body"), "coverage");
    }
    const all = $("coverage-all").checked;
    if (!changed("coverage", { text: answer.text + all })) return;
    const { coverage, totals } = answer.json;
    const rows = coverage.filter((c) => all || c.registered || c.fired);
    replace($("coverage-body"),
      totals ? el("p", {}, `${totals.fired} fired and ${totals.registered} registered of ${totals.known} known conditions.`) : null,
      rows.length ? table("coverage", [
        { title: "Service", cell: (c) => c.service },
        { title: "Event", cell: (c) => c.event },
        { title: "Condition", cell: (c) => c.condition },
        { title: "Registered", cell: (c) => c.registered },
        { title: "Fired", cell: (c) => c.fired },
        { title: "Tenants", cell: (c) => (c.tenants || []).join(", ") },
      ], rows, (c) => ({ class: c.fired ? "fired" : null })) : el("p", { class: "muted" }, "Nothing registered or fired yet."));
  };

  // The request journal.

  // The journal lists oldest first and pages forward from a marker (the
  // id of the last record seen), so the page keeps the newest records it
  // has seen and asks only for what came after them.
  const JOURNAL_KEPT = 200;
  const JOURNAL_LOOK_BACK = 2000;
  const JOURNAL_PAGE = 1000;
  const journal = { key: null, marker: 0, records: [], count: 0, recorded: 0, capacity: 0 };

  function journalQuery() {
    const params = new URLSearchParams();
    for (const name of ["service", "tenant_id", "method", "path", "status", "condition"]) {
      const input = $("journal-filters").elements[name];
      if (input && input.value.trim()) params.set(name, input.value.trim());
    }
    return params;
  }

  function conditionText(c) {
    return `${c.service}.${c.event}: ${c.condition}`;
  }

  async function journalStart() {
    // Where the newest records begin: the first kept id and how many are
    // kept give the last id; a new filter looks back over the last
    // JOURNAL_LOOK_BACK requests.
    const first = await call("GET", "requests?limit=1");
    if (!first.ok || !first.json || !Array.isArray(first.json.requests)) return first;
    const oldest = first.json.requests.length ? first.json.requests[0].id : 0;
    const last = oldest + (first.json.recorded || 0) - 1;
    journal.marker = Math.max(0, last - JOURNAL_LOOK_BACK);
    return first;
  }

  function showJournal() {
    const firedOnly = $("journal-fired-only").checked;
    let requests = journal.records;
    if (firedOnly) requests = requests.filter((r) => (r.conditions || []).length);
    if ($("journal-hide-control").checked) requests = requests.filter((r) => !String(r.path).startsWith("/mimic/"));
    replace($("journal-body"),
      el("p", { class: "muted" }, `${journal.count} matching; ${journal.recorded} recorded ` +
        `(the last ${journal.capacity} are kept); the newest ${JOURNAL_KEPT} at most are shown, newest first.`),
      requests.length ? table("journal", [
        { title: "Time", cell: (r) => el("time", { datetime: r.time, title: r.time }, String(r.time).slice(11, 23)) },
        { title: "Method", cell: (r) => r.method },
        { title: "Path", cell: (r) => el("details", {}, el("summary", {}, r.path + (r.query ? "?" + r.query : "")),
            el("div", { class: "bodies" },
              el("h5", {}, "Request body"), el("pre", {}, text(r.request_body) || "(none)"),
              el("h5", {}, "Response body"), el("pre", {}, text(r.response_body) || "(none)"),
              el("p", { class: "muted" }, `request id ${r.request_id || ""}; user ${r.user || ""}`))) },
        { title: "Service", cell: (r) => `${r.service || ""} ${r.region || ""}` },
        { title: "Tenant", cell: (r) => r.tenant_id || "" },
        { title: "Status", cell: (r) => r.status },
        { title: "Fired", cell: (r) => (r.conditions || []).map(conditionText).join("; ") },
      ], requests.slice().reverse(), (r) => ({ class: (r.conditions || []).length ? "fired" : null,
        "data-request": r.id })) : el("p", { class: "muted" }, "No request matches."));
  }

  loaders.journal = async () => {
    const filters = journalQuery();
    const key = filters.toString();
    if (journal.key !== key) {
      const started = await journalStart();
      if (started.status === 404 || !started.ok) {
        forget("journal");
        return unavailable($("journal-body"), "journal");
      }
      Object.assign(journal, { key, records: [] });
      pages.journal = 0;
      forget("journal");
    }
    let grew = false;
    let answer = null;
    for (let page = 0; page < 3; page += 1) {
      filters.set("marker", String(journal.marker));
      filters.set("limit", String(JOURNAL_PAGE));
      answer = await call("GET", "requests?" + filters.toString());
      if (!answer.ok || !answer.json) {
        forget("journal");
        journal.key = null;
        return replace($("journal-body"), el("p", { class: "error" }, answer.message || NOT_AVAILABLE));
      }
      const found = answer.json.requests || [];
      if (found.length) {
        journal.records = journal.records.concat(found).slice(-JOURNAL_KEPT);
        journal.marker = found[found.length - 1].id;
        grew = true;
      }
      if (found.length < JOURNAL_PAGE) break;
    }
    const counts = `${answer.json.count}/${answer.json.recorded}/${$("journal-fired-only").checked}` +
      `/${$("journal-hide-control").checked}`;
    if (!grew && lastSeen.journal === counts) return;
    lastSeen.journal = counts;
    Object.assign(journal, { count: answer.json.count, recorded: answer.json.recorded, capacity: answer.json.capacity });
    showJournal();
  };

  // Snapshots.

  loaders.snapshots = async () => {
    const answer = await call("GET", "snapshots");
    if (!answer.ok || !answer.json || !Array.isArray(answer.json.snapshots)) {
      forget("snapshots");
      $("snapshot-save").disabled = true;
      return unavailable($("snapshots-body"), "snapshots");
    }
    $("snapshot-save").disabled = false;
    if (!changed("snapshots", answer)) return;
    const snapshots = answer.json.snapshots;
    replace($("snapshots-body"), snapshots.length ? table("snapshots", [
      { title: "Name", cell: (s) => s.name },
      { title: "Taken at (Mimic time)", cell: (s) => s.taken_at },
      { title: "Size (bytes)", cell: (s) => s.size },
      { title: "Services", cell: (s) => (s.services || []).join(", ") },
      { title: "", cell: (s) => [
        el("button", { type: "button", "data-action": "restore", "aria-label": `Restore snapshot ${s.name}`,
          onclick: async () => {
            const done = await act("POST", `snapshots/${encodeURIComponent(s.name)}/restore`, undefined);
            if (done.ok) {
              const dropped = (done.json && done.json.dropped) || [];
              say(`Snapshot ${s.name} restored.` + (dropped.length ? ` Not kept by snapshots: ${dropped.join(", ")}.` : ""));
              Object.keys(lastSeen).forEach(forget);
            }
          } }, "Restore"),
        " ",
        el("button", { type: "button", class: "danger", "data-action": "delete", "aria-label": `Delete snapshot ${s.name}`,
          onclick: () => act("DELETE", `snapshots/${encodeURIComponent(s.name)}`, undefined, `Snapshot ${s.name} deleted.`) },
          "Delete"),
      ] },
    ], snapshots, (s) => ({ "data-snapshot": s.name })) : el("p", { class: "muted" }, "No snapshot yet."));
  };

  // The catalogue of known conditions: a form per event, generated from
  // the declared conditions, parameters and criteria.

  let catalogue = null;

  function parameterInput(id, parameter) {
    const attrs = { id, name: parameter.name, "data-type": parameter.type };
    if (parameter.type === "integer" || parameter.type === "number") {
      Object.assign(attrs, { type: "number", step: parameter.type === "integer" ? "1" : "any",
        min: parameter.minimum, max: parameter.maximum });
    }
    if (parameter.type === "boolean") {
      return el("input", Object.assign(attrs, { type: "checkbox", checked: parameter.default === true }));
    }
    if (parameter.type === "object" || parameter.type === "array") {
      return el("textarea", Object.assign(attrs, { rows: 2, placeholder: "JSON" }),
        parameter.required ? "" : JSON.stringify(parameter.default));
    }
    const input = el("input", Object.assign({ type: "text" }, attrs));
    if (!parameter.required && parameter.default !== null && parameter.default !== undefined) {
      input.placeholder = `default: ${text(parameter.default)}`;
    }
    if (parameter.required) input.required = true;
    return input;
  }

  function readParameters(fieldset, condition) {
    const parameters = {};
    for (const parameter of condition.parameters || []) {
      const input = fieldset.querySelector(`[name="${CSS.escape(parameter.name)}"]`);
      if (!input) continue;
      if (parameter.type === "boolean") {
        if (input.checked !== (parameter.default === true) || parameter.required) parameters[parameter.name] = input.checked;
        continue;
      }
      const raw = input.value.trim();
      if (raw === "") continue;
      if (parameter.type === "integer" || parameter.type === "number") parameters[parameter.name] = Number(raw);
      else if (parameter.type === "object" || parameter.type === "array") {
        const value = JSON.parse(raw);
        if (JSON.stringify(value) !== JSON.stringify(parameter.default)) parameters[parameter.name] = value;
      } else parameters[parameter.name] = raw;
    }
    return parameters;
  }

  function readCriteria(form, event) {
    const criteria = [];
    for (const name of event.criteria || []) {
      if (name === "metadata") {
        const key = form.elements["criterion-metadata-key"].value.trim();
        const value = form.elements["criterion-metadata-value"].value.trim();
        if (key || value) criteria.push({ metadata: { key: key || ".*", value: value || ".*" } });
        continue;
      }
      const input = form.elements["criterion-" + name];
      if (input && input.value.trim()) criteria.push({ [name]: input.value.trim() });
    }
    return criteria;
  }

  function eventForm(event, number) {
    const prefix = `ev${number}`;
    const conditions = (event.conditions || []).concat([{ name: "default",
      description: "Behave normally (useful as a step of a sequence).", parameters: [] }]);
    const steps = [];
    const parametersBox = el("fieldset", { class: "parameters" });
    const select = el("select", { id: `${prefix}-condition`, name: "condition" },
      conditions.map((c) => el("option", { value: c.name }, c.name)));
    const description = el("p", { class: "muted", id: `${prefix}-description` });
    const stepsList = el("ol", { class: "steps", "aria-label": "Sequence steps" });
    const registerSequence = el("button", { type: "button", "data-action": "register-sequence", disabled: true },
      "Register the sequence");

    function chosen() {
      return conditions.find((c) => c.name === select.value);
    }

    function showParameters() {
      const condition = chosen();
      description.textContent = condition.description || "";
      const fields = (condition.parameters || []).map((p, i) => {
        const id = `${prefix}-p${i}`;
        return el("div", { class: "field" },
          el("label", { for: id }, `${p.name}${p.required ? " (required)" : ""}`),
          parameterInput(id, p),
          el("small", { class: "muted" }, p.description +
            (p.minimum !== undefined ? ` (${p.minimum} to ${p.maximum})` : "")));
      });
      replace(parametersBox, el("legend", {}, "Parameters"),
        fields.length ? fields : el("p", { class: "muted" }, "This condition takes no parameters."));
    }
    select.addEventListener("change", showParameters);

    const criteriaFields = (event.criteria || []).map((name) => {
      if (name === "metadata") {
        return el("div", { class: "field" },
          el("label", { for: `${prefix}-meta-key` }, "metadata key (regex)"),
          el("input", { id: `${prefix}-meta-key`, name: "criterion-metadata-key" }),
          el("label", { for: `${prefix}-meta-value` }, "metadata value (regex)"),
          el("input", { id: `${prefix}-meta-value`, name: "criterion-metadata-value" }));
      }
      const id = `${prefix}-c-${name}`;
      const attrs = { id, name: "criterion-" + name, placeholder: "regular expression" };
      if (name === "tenant_id") attrs.list = "tenant-ids";
      return el("div", { class: "field" }, el("label", { for: id }, name.replace(/_/g, " ")), el("input", attrs));
    });

    function body(conditionBody) {
      const form = select.form;
      const registration = Object.assign({}, conditionBody);
      const criteria = readCriteria(form, event);
      if (criteria.length) registration.criteria = criteria;
      const times = form.elements.times.value.trim();
      if (times) registration.times = Number(times);
      return registration;
    }

    function currentStep() {
      const condition = chosen();
      return { name: condition.name, parameters: readParameters(parametersBox, condition) };
    }

    function showSteps() {
      replace(stepsList, steps.map((s, i) => el("li", {}, `${s.name} ${JSON.stringify(s.parameters)} `,
        el("button", { type: "button", "aria-label": `Remove step ${i + 1}`, onclick: () => {
          steps.splice(i, 1);
          showSteps();
        } }, "×"))));
      registerSequence.disabled = steps.length === 0;
    }

    async function register(registration) {
      const answer = await act("POST", new URL(event.register, location.href).pathname, registration);
      if (answer.ok) say(`Registered ${registration.name} for ${event.id} (id ${answer.json.id}).`);
      return answer;
    }

    registerSequence.addEventListener("click", async () => {
      const answer = await register(body({ name: "sequence", parameters: { behaviors: steps.slice() } }));
      if (answer.ok) {
        steps.length = 0;
        showSteps();
      }
    });

    const form = el("form", { class: "event-form", "data-event": event.id,
      onsubmit: async (e) => {
        e.preventDefault();
        let step;
        try {
          step = currentStep();
        } catch (error) {
          return say(`A parameter is not valid JSON: ${error.message}`, true);
        }
        const registration = body(step);
        if (!Object.keys(step.parameters).length) delete registration.parameters;
        await register(registration);
      } },
      el("div", { class: "field" }, el("label", { for: `${prefix}-condition` }, "Condition"), select),
      description,
      parametersBox,
      el("fieldset", { class: "criteria" }, el("legend", {}, "Only for requests matching (all optional)"),
        criteriaFields.length ? criteriaFields : el("p", { class: "muted" }, "This event takes no criteria.")),
      el("div", { class: "field" }, el("label", { for: `${prefix}-times` }, "Number of uses (empty: until removed)"),
        el("input", { id: `${prefix}-times`, name: "times", type: "number", min: 1, step: 1 })),
      el("div", { class: "buttons" },
        el("button", { type: "submit", "data-action": "register" }, "Register"),
        el("button", { type: "button", "data-action": "add-step", onclick: () => {
          try {
            steps.push(currentStep());
          } catch (error) {
            return say(`A parameter is not valid JSON: ${error.message}`, true);
          }
          showSteps();
        } }, "Add as a sequence step"),
        registerSequence),
      stepsList);
    showParameters();
    return form;
  }

  function eventText(event) {
    return [event.id, event.description, (event.aliases || []).join(" "), (event.criteria || []).join(" ")]
      .concat((event.conditions || []).map((c) => `${c.name} ${c.description}`)).join(" ").toLowerCase();
  }

  function showCatalogue() {
    if (!catalogue) return;
    const words = $("catalogue-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of $("catalogue-body").querySelectorAll("details.event")) {
      const visible = words.every((w) => item.dataset.search.includes(w));
      item.hidden = !visible;
      if (visible) shown += 1;
    }
    $("catalogue-count").textContent = `${shown} of ${catalogue.events.length} events shown.`;
  }

  async function loadCatalogue() {
    const answer = await call("GET", "failures");
    if (!answer.ok) return unavailable($("catalogue-body"));
    catalogue = answer.json;
    const byService = {};
    for (const event of catalogue.events) (byService[event.service] = byService[event.service] || []).push(event);
    let number = 0;
    replace($("catalogue-body"), el("p", { id: "catalogue-count", class: "muted", "aria-live": "polite" }),
      Object.keys(byService).sort().map((service) => el("div", { class: "service-events" },
        el("h3", {}, service),
        byService[service].map((event) => {
          number += 1;
          const details = el("details", { class: "event", "data-event": event.id, "data-search": eventText(event) },
            el("summary", {}, el("strong", {}, event.event), " — ",
              (event.conditions || []).map((c) => c.name).join(", ")),
            el("p", {}, event.description));
          const n = number;
          // The form is built when first opened: the catalogue stays cheap.
          details.addEventListener("toggle", () => {
            if (details.open && !details.querySelector("form")) details.append(eventForm(event, n));
          });
          return details;
        }))));
    showCatalogue();
  }

  // Configuration: what the control API says of itself.

  async function loadConfiguration() {
    const [config, index, clock] = await Promise.all([call("GET", "config"), call("GET", ""), call("GET", "clock")]);
    const parts = [];
    if (config.ok && config.json) {
      parts.push(el("pre", {}, JSON.stringify(config.json, null, 2)));
    } else {
      parts.push(el("p", { class: "muted" }, "This Mimic does not publish its settings (no /mimic/v1.1/config); " +
        "what the control API says of itself:"));
    }
    if (clock.ok) {
      parts.push(el("dl", { class: "facts" },
        el("div", {}, el("dt", {}, "clock"), el("dd", {}, clock.json.realtime ? "real time (--realtime)"
          : "Mimic's own, advanced only by ticks")),
        el("div", {}, el("dt", {}, "listening at"), el("dd", {}, location.origin))));
    }
    if (index.ok && index.json) {
      parts.push(el("h3", {}, "Control API"), el("dl", { class: "facts" },
        Object.entries(index.json).map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, el("code", {}, v))))));
    }
    replace($("configuration-body"), parts);
  }

  // Polling: a few seconds apart, only the sections on screen, and not
  // while the page is hidden.

  const visible = new Set();
  let timer = null;

  function loaderVisible(name) {
    return visible.has(name);
  }

  // One refresh at a time: one asked for meanwhile follows it.
  let refreshing = false;
  let again = false;

  async function refresh() {
    clearTimeout(timer);
    timer = null;
    if (document.hidden) return;
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    const names = [...visible].filter((name) => loaders[name] && !(absentUntil[name] > Date.now()));
    $("poll-state").textContent = "updating…";
    try {
      await Promise.all(names.map((name) => loaders[name]().catch((error) => say(String(error), true))));
    } finally {
      refreshing = false;
    }
    $("poll-state").textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (again) {
      again = false;
      schedule(0);
    } else schedule();
  }

  function schedule(delay) {
    clearTimeout(timer);
    const interval = delay !== undefined ? delay : Number($("poll-interval").value);
    if (interval > 0 || delay !== undefined) timer = setTimeout(refresh, interval);
  }

  function refreshSoon(delay) {
    schedule(delay === undefined ? 100 : delay);
  }

  function watchSections() {
    const observer = new IntersectionObserver((entries) => {
      let appeared = false;
      for (const entry of entries) {
        const name = entry.target.dataset.poll;
        if (entry.isIntersecting) {
          if (!visible.has(name)) appeared = true;
          visible.add(name);
        } else visible.delete(name);
      }
      if (appeared) refreshSoon(0);
    });
    document.querySelectorAll("section[data-poll]").forEach((section) => {
      // What is on screen now is known without waiting for the observer.
      const box = section.getBoundingClientRect();
      if (box.top < window.innerHeight && box.bottom > 0) visible.add(section.dataset.poll);
      observer.observe(section);
    });
  }

  // Wiring.

  function start() {
    $("tick-form").addEventListener("submit", (e) => {
      e.preventDefault();
      tick({ amount: Number($("tick-amount").value) });
    });
    $("tick-next").addEventListener("click", () => tick({ until: "next" }));
    $("tick-idle").addEventListener("click", () => tick({ until: "idle" }));
    $("clock-expiries").addEventListener("change", () => {
      forget("clock");
      refreshSoon(0);
    });
    $("resources-tenant").addEventListener("change", showResources);
    $("resources-filter").addEventListener("input", showResources);
    $("resources-filter-form").addEventListener("submit", (e) => e.preventDefault());
    $("catalogue-search").addEventListener("input", showCatalogue);
    $("catalogue-search-form").addEventListener("submit", (e) => e.preventDefault());
    $("catalogue-reload").addEventListener("click", loadCatalogue);
    $("registered-clear").addEventListener("click", () => {
      if (confirm("Remove every registered condition?")) act("DELETE", "behaviors", undefined, "Every registration removed.");
    });
    $("coverage-all").addEventListener("change", () => refreshSoon(0));
    $("journal-filters").addEventListener("submit", (e) => {
      e.preventDefault();
      pages.journal = 0;
      refreshSoon(0);
    });
    $("journal-fired-only").addEventListener("change", () => refreshSoon(0));
    $("journal-hide-control").addEventListener("change", () => refreshSoon(0));
    $("journal-clear").addEventListener("click", async () => {
      const done = await act("DELETE", "requests", undefined, "Journal cleared.");
      if (done.ok) {
        journal.records = [];
        forget("journal");
      }
    });
    $("snapshot-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const name = $("snapshot-name").value.trim();
      if (name) act("POST", "snapshots", { name }, `Snapshot ${name} saved.`);
    });
    $("reset-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const tenant = $("reset-tenant").value;
      const what = tenant ? `tenant ${tenant}` : "everything";
      if (!confirm(`Reset ${what}?`)) return;
      act("POST", "reset", tenant ? { tenant_id: tenant } : undefined, `Reset ${what}.`);
    });
    $("poll-interval").addEventListener("change", () => refreshSoon(0));
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) refreshSoon(0);
    });
    document.body.append(el("datalist", { id: "tenant-ids" }));
    // ?poll=<milliseconds> (at least 250): a faster pace than the menu's,
    // for a demonstration or a test.
    const asked = Number(new URLSearchParams(location.search).get("poll"));
    if (asked >= 250) {
      const select = $("poll-interval");
      select.append(el("option", { value: String(asked) }, `every ${asked / 1000} s`));
      select.value = String(asked);
    }
    watchSections();
    // What Mimic holds first; the catalogue's forms and the configuration
    // (read once) after it.
    refresh().then(() => {
      loadCatalogue();
      loadConfiguration();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
