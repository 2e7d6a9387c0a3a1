/// The preview's script, served as `/assets/preview.js` (kept in the binary, so that `mailroom`
/// needs no resource files beside it): tabs, the frame's width, the raw source, and live updates.
///
/// Everything it puts on a page from a message goes in as text (`textContent`), never as markup.
/// The pages work without it, less conveniently.
enum PreviewScript {
    static let javaScript = #"""
    "use strict";
    (function () {
      const base = document.body.dataset.base || "";

      function formatSize(bytes) {
        if (bytes < 1000) return bytes + " B";
        if (bytes < 1000000) return (bytes / 1000).toFixed(1) + " kB";
        return (bytes / 1000000).toFixed(1) + " MB";
      }

      function cell(row, text, className) {
        const td = document.createElement("td");
        if (className) td.className = className;
        if (text !== undefined) td.textContent = text;
        row.appendChild(td);
        return td;
      }

      // The same row the server renders, built from the API's JSON.
      function rowFor(entry) {
        const row = document.createElement("tr");
        row.dataset.id = entry.id;
        const time = document.createElement("time");
        time.dateTime = entry.date;
        time.textContent = entry.date.replace("T", " ").replace("Z", "");
        cell(row).appendChild(time);
        cell(row, entry.from);
        cell(row, entry.recipients.join(", "));
        const link = document.createElement("a");
        link.href = base + "/messages/" + encodeURIComponent(entry.id);
        link.textContent = entry.subject || "(no subject)";
        cell(row).appendChild(link);
        const tags = cell(row);
        entry.tags.forEach(function (tag, index) {
          if (index > 0) tags.appendChild(document.createTextNode(" "));
          const span = document.createElement("span");
          span.className = "tag";
          span.textContent = tag;
          tags.appendChild(span);
        });
        const state = document.createElement("span");
        state.className = "state state-" + entry.state;
        state.textContent = entry.state;
        cell(row).appendChild(state);
        cell(row, formatSize(entry.size), "size");
        row.classList.add("fresh");
        return row;
      }

      // New messages: the server says one arrived; the list asks the API for its own conditions'
      // newest page and adds the rows it does not show yet.
      function live(table) {
        if (!window.EventSource) return;
        const badge = document.getElementById("live");
        const events = new EventSource(base + "/api/v1/events");
        let busy = false;
        let again = false;
        function refresh() {
          if (busy) { again = true; return; }
          busy = true;
          fetch(table.dataset.live, { headers: { "Accept": "application/json" } })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (page) {
              if (!page) return;
              const body = table.tBodies[0];
              const shown = new Set(Array.from(body.rows, function (row) { return row.dataset.id; }));
              const fresh = page.messages.filter(function (entry) { return !shown.has(entry.id); });
              fresh.reverse().forEach(function (entry) { body.insertBefore(rowFor(entry), body.firstChild); });
              const total = document.getElementById("total");
              if (total) { total.textContent = page.total; total.dataset.total = page.total; }
              const empty = document.getElementById("empty");
              if (empty && body.rows.length > 0) empty.remove();
            })
            .catch(function () {})
            .finally(function () {
              busy = false;
              if (again) { again = false; refresh(); }
            });
        }
        events.onopen = function () { if (badge) badge.hidden = false; };
        events.onerror = function () { if (badge) badge.hidden = true; };
        events.addEventListener("message", refresh);
      }

      function tabs() {
        const nav = document.getElementById("tabs");
        if (!nav) return;
        const sections = Array.from(document.querySelectorAll("section.tab"));
        const raw = document.getElementById("raw-source");
        function show() {
          const wanted = location.hash.slice(1);
          const current = sections.some(function (s) { return s.id === wanted; }) ? wanted : (nav.dataset.default || "html");
          sections.forEach(function (section) { section.hidden = section.id !== current; });
          Array.from(nav.querySelectorAll("a")).forEach(function (a) {
            a.classList.toggle("active", a.getAttribute("href") === "#" + current);
          });
          if (current === "raw" && raw && !raw.dataset.loaded) {
            raw.dataset.loaded = "1";
            raw.textContent = "Loading…";
            fetch(raw.dataset.src).then(function (r) { return r.text(); }).then(function (text) { raw.textContent = text; });
          }
        }
        document.body.classList.add("tabbed");
        window.addEventListener("hashchange", show);
        show();
      }

      function widths() {
        const frame = document.getElementById("frame");
        if (!frame) return;
        const buttons = Array.from(document.querySelectorAll("button.width"));
        buttons.forEach(function (button) {
          button.addEventListener("click", function () {
            frame.classList.toggle("narrow", button.dataset.width === "narrow");
            buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
          });
        });
      }

      const table = document.getElementById("messages");
      if (table && table.dataset.live) live(table);
      tabs();
      widths();
    })();
    """#
}
