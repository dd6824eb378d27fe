/*
 * ZUSM hospital assistant: website chat widget.
 *
 * Embed with one script tag (the widget loads its stylesheet and the socket.io
 * client from the same place as this file):
 *
 *   <script src="https://assistant.example.org/static/widget.js" defer
 *           data-socket-url="https://rasa.example.org"></script>
 *
 * Optional attributes: data-socket-path (default /socket.io/), data-open="true"
 * (start open), data-title, data-suggestions ("question one|question two"),
 * data-feedback-url (default: /feedback next to this file's server).
 *
 * Talks to Rasa's socketio channel (session_request / user_uttered / bot_uttered)
 * with session persistence: the session id and the transcript live in
 * localStorage, so a reload shows the conversation and Rasa keeps its context.
 * Every piece of text is put into the page with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  if (window.__zusmChatWidget) return; // embedded twice: keep the first
  window.__zusmChatWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var scriptUrl = new URL(script.src, document.baseURI);

  function attr(name, dflt) {
    var v = script.getAttribute(name);
    return v === null || v === "" ? dflt : v;
  }

  var DEFAULT_SUGGESTIONS = [
    "How many beds does the Second Affiliated Hospital have?",
    "When was ZUSM founded?",
    "What does the ultrasound department do?",
    "How many hospitals are in the ZUSM network?"
  ];
  var cfg = {
    socketUrl: attr("data-socket-url", scriptUrl.origin),
    socketPath: attr("data-socket-path", "/socket.io/"),
    title: attr("data-title", "ZUSM hospital assistant"),
    startOpen: attr("data-open", "false") === "true",
    feedbackUrl: attr("data-feedback-url", new URL("/feedback", scriptUrl).href),
    suggestions: script.getAttribute("data-suggestions")
      ? script.getAttribute("data-suggestions").split("|").map(function (s) { return s.trim(); }).filter(Boolean)
      : DEFAULT_SUGGESTIONS,
    ioUrl: new URL("/vendor/socket.io.min.js", scriptUrl).href,
    cssUrl: new URL("widget.css", scriptUrl).href
  };

  var KEY = "zusm-widget:";
  var MAX_HISTORY = 200;
  var REPLY_TIMEOUT_MS = 45000;
  var GREETING = "Hello! I answer questions about Zhejiang University School of Medicine and its hospitals, " +
    "from the school's own pages, and I say where each answer comes from. " +
    "I can't give medical advice or book appointments. In an emergency call 120.";

  // ------------------------------------------------------------------ storage

  var memory = {};
  function load(name, dflt) {
    try {
      var raw = window.localStorage.getItem(KEY + name);
      return raw === null ? dflt : JSON.parse(raw);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memory, name) ? memory[name] : dflt;
    }
  }
  function save(name, value) {
    memory[name] = value;
    try { window.localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* blocked: memory only */ }
  }

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var sessionId = load("session", null);
  if (typeof sessionId !== "string" || !/^[A-Za-z0-9_-]{8,64}$/.test(sessionId)) {
    sessionId = randomId();
    save("session", sessionId);
  }
  var history = load("history", []);
  if (!Array.isArray(history)) history = [];

  // --------------------------------------------------------------------- DOM

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function button(className, text, label) {
    var b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  var host = el("div");
  host.id = "zusm-chat-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var css = el("link");
  css.rel = "stylesheet";
  css.href = cfg.cssUrl;
  root.appendChild(css);

  var wrap = el("div", "zw");
  var launcher = button("zw-launcher", "Ask the assistant", "Open the chat with the ZUSM hospital assistant");
  launcher.setAttribute("aria-controls", "zw-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "zw-panel");
  panel.id = "zw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-label", cfg.title);
  panel.hidden = true;

  var header = el("header", "zw-header");
  header.appendChild(el("h2", "zw-title", cfg.title));
  var restartBtn = button("zw-icon zw-restart", "New chat", "Start a new conversation");
  var closeBtn = button("zw-icon zw-close", "\u00d7", "Close the chat");
  header.appendChild(restartBtn);
  header.appendChild(closeBtn);

  var log = el("div", "zw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0;

  var suggestionsBox = el("div", "zw-suggestions");
  suggestionsBox.setAttribute("aria-label", "Suggested questions");

  var status = el("div", "zw-status");
  status.setAttribute("role", "status");

  var form = el("form", "zw-form");
  form.setAttribute("autocomplete", "off");
  var label = el("label", "zw-sr", "Your question");
  label.htmlFor = "zw-input";
  var input = el("input", "zw-input");
  input.id = "zw-input";
  input.type = "text";
  input.maxLength = 1000;
  input.placeholder = "Type your question\u2026";
  var sendBtn = el("button", "zw-send", "Send");
  sendBtn.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);

  var footer = el("p", "zw-footer", "General information only, no medical advice. Emergency: call 120.");

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(suggestionsBox);
  panel.appendChild(status);
  panel.appendChild(form);
  panel.appendChild(footer);
  wrap.appendChild(panel);
  wrap.appendChild(launcher);
  root.appendChild(wrap);

  // --------------------------------------------------------------- rendering

  var URL_RE = /(\[[^\]\n]{1,200}\]\((https?:\/\/[^\s)]+)\))|(https?:\/\/[^\s<>"']+)/g;

  function safeHref(raw) {
    try {
      var u = new URL(raw);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, href) {
    var a = el("a", "zw-link", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    return a;
  }

  // Text with bare URLs and [label](url) links turned into <a> elements (built node by node).
  function appendRich(parent, text) {
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var label = m[1] ? m[1].slice(1, m[1].indexOf("](")) : m[3];
      var raw = m[2] || m[3];
      var trail = "";
      if (!m[1]) {
        var t = /[.,;:!?)]+$/.exec(raw);
        if (t) { trail = t[0]; raw = raw.slice(0, -trail.length); label = raw; }
      }
      var href = safeHref(raw);
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (href) parent.appendChild(link(label, href));
      else parent.appendChild(document.createTextNode(m[0].slice(0, m[0].length - trail.length)));
      if (trail) parent.appendChild(document.createTextNode(trail));
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // "Source: ..." lines are shown apart, smaller; the rest is the answer.
  function splitSource(text) {
    var body = [];
    var sources = [];
    String(text).split("\n").forEach(function (line) {
      if (/^\s*Sources?:/i.test(line)) sources.push(line.trim());
      else body.push(line);
    });
    return { body: body.join("\n").replace(/^\s+|\s+$/g, ""), source: sources.join("\n") };
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function renderUser(item) {
    var row = el("div", "zw-msg zw-user");
    row.appendChild(el("span", "zw-sr", "You said: "));
    row.appendChild(el("div", "zw-bubble", item.text));
    log.appendChild(row);
  }

  function renderBot(item) {
    var row = el("div", "zw-msg zw-bot");
    row.setAttribute("data-id", item.id);
    if (item.text) {
      var parts = splitSource(item.text);
      var bubble = el("div", "zw-bubble");
      bubble.appendChild(el("span", "zw-sr", "Assistant: "));
      if (parts.body) {
        var body = el("div", "zw-text");
        appendRich(body, parts.body);
        bubble.appendChild(body);
      }
      if (parts.source) {
        var src = el("div", "zw-source");
        appendRich(src, parts.source);
        bubble.appendChild(src);
      }
      row.appendChild(bubble);
    }
    if (item.buttons && item.buttons.length) {
      var group = el("div", "zw-buttons");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Quick replies");
      item.buttons.forEach(function (b) {
        var btn = button("zw-quick", b.title);
        btn.disabled = !!item.used;
        btn.addEventListener("click", function () {
          if (item.used) return;
          item.used = true;
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          persist();
          send(b.payload, b.title);
        });
        group.appendChild(btn);
      });
      row.appendChild(group);
    }
    if (item.text && item.feedback !== false) row.appendChild(feedbackBar(item));
    log.appendChild(row);
  }

  // Thumb icon (Material Design "thumb_up" path, Apache-2.0), built as SVG nodes; down = rotated.
  var THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
    "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  function thumb(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", THUMB);
    if (down) path.setAttribute("transform", "rotate(180 12 12)");
    svg.appendChild(path);
    return svg;
  }

  function feedbackBar(item) {
    var bar = el("div", "zw-feedback");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Was this answer helpful?");
    var up = button("zw-vote zw-up", null, "Helpful");
    var down = button("zw-vote zw-down", null, "Not helpful");
    up.appendChild(thumb(false));
    down.appendChild(thumb(true));
    var note = el("span", "zw-thanks");
    function paint() {
      up.setAttribute("aria-pressed", item.vote === "up" ? "true" : "false");
      down.setAttribute("aria-pressed", item.vote === "down" ? "true" : "false");
      note.textContent = item.vote ? "Thanks for the feedback" : "";
    }
    function vote(v) {
      item.vote = v;
      paint();
      persist();
      var parts = splitSource(item.text);
      var body = JSON.stringify({ id: item.id, vote: v, question: item.question || "", answer: parts.body, source: parts.source });
      fetch(cfg.feedbackUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: body, mode: "cors" })
        .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); })
        .catch(function () { note.textContent = "Feedback could not be sent"; });
    }
    up.addEventListener("click", function () { vote("up"); });
    down.addEventListener("click", function () { vote("down"); });
    paint();
    bar.appendChild(up);
    bar.appendChild(down);
    bar.appendChild(note);
    return bar;
  }

  function render(item) {
    if (item.from === "user") renderUser(item);
    else renderBot(item);
  }

  function persist() {
    if (history.length > MAX_HISTORY) history = history.slice(history.length - MAX_HISTORY);
    save("history", history);
  }

  function add(item) {
    history.push(item);
    persist();
    render(item);
    renderSuggestions();
    scrollToEnd();
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    renderBot({ id: "greeting", from: "bot", text: GREETING, feedback: false });
    history.forEach(render);
    renderSuggestions();
    scrollToEnd();
  }

  function renderSuggestions() {
    while (suggestionsBox.firstChild) suggestionsBox.removeChild(suggestionsBox.firstChild);
    var asked = history.some(function (h) { return h.from === "user"; });
    if (asked) return;
    cfg.suggestions.forEach(function (q) {
      var b = button("zw-suggestion", q);
      b.addEventListener("click", function () { send(q); });
      suggestionsBox.appendChild(b);
    });
  }

  var typingRow = null;
  var replyTimer = null;
  function typing(on) {
    if (on && !typingRow) {
      typingRow = el("div", "zw-msg zw-bot zw-typing");
      typingRow.setAttribute("aria-label", "The assistant is typing");
      var dots = el("div", "zw-bubble zw-dots");
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      typingRow.appendChild(dots);
      log.appendChild(typingRow);
      scrollToEnd();
      clearTimeout(replyTimer);
      replyTimer = setTimeout(function () {
        typing(false);
        setStatus("No answer yet. The assistant may be busy; please try again.", true);
      }, REPLY_TIMEOUT_MS);
    } else if (!on && typingRow) {
      typingRow.remove();
      typingRow = null;
      clearTimeout(replyTimer);
    }
  }

  function setStatus(text, isError) {
    status.textContent = text || "";
    status.className = "zw-status" + (isError ? " zw-error" : "");
  }

  // --------------------------------------------------------------- transport

  var socket = null;
  var confirmed = false;
  var queue = [];
  var lastQuestion = "";

  function emit(payload) {
    socket.emit("user_uttered", { message: payload, session_id: sessionId });
  }

  function send(payload, shownAs) {
    payload = String(payload || "").trim();
    if (!payload) return;
    var shown = shownAs != null ? String(shownAs) : payload;
    lastQuestion = shown;
    add({ id: randomId(), from: "user", text: shown });
    typing(true);
    if (socket && confirmed) emit(payload);
    else queue.push(payload);
    connect();
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    typing(false);
    setStatus("");
    var text = typeof data.text === "string" ? data.text : "";
    var raw = Array.isArray(data.quick_replies) ? data.quick_replies : (Array.isArray(data.buttons) ? data.buttons : []);
    var buttons = raw.filter(function (b) { return b && (b.title != null || b.payload != null); }).map(function (b) {
      var title = String(b.title != null ? b.title : b.payload);
      return { title: title, payload: String(b.payload != null ? b.payload : title) };
    });
    if (!text && !buttons.length) {
      var img = data.attachment && data.attachment.payload && data.attachment.payload.src;
      if (typeof img === "string" && safeHref(img)) text = img;
      else return;
    }
    add({ id: randomId(), from: "bot", text: text, buttons: buttons, question: lastQuestion });
  }

  function loadIo(done) {
    if (window.io) return done();
    var s = document.createElement("script");
    s.src = cfg.ioUrl;
    s.async = true;
    s.onload = function () { done(); };
    s.onerror = function () { setStatus("The chat is unavailable right now. Please try again later.", true); typing(false); };
    document.head.appendChild(s);
  }

  function connect() {
    if (socket) return;
    socket = "loading";
    loadIo(function () {
      socket = window.io(cfg.socketUrl, {
        path: cfg.socketPath,
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        reconnectionDelayMax: 10000
      });
      socket.on("connect", function () {
        confirmed = false;
        socket.emit("session_request", { session_id: sessionId });
      });
      socket.on("session_confirm", function (id) {
        var sid = typeof id === "string" ? id : (id && id.session_id);
        if (sid && sid !== sessionId) { sessionId = sid; save("session", sessionId); }
        confirmed = true;
        setStatus("");
        while (queue.length) emit(queue.shift());
      });
      socket.on("bot_uttered", onBotMessage);
      socket.on("disconnect", function () {
        confirmed = false;
        setStatus("Reconnecting\u2026");
      });
      socket.on("connect_error", function () {
        setStatus("Can't reach the assistant right now; retrying\u2026", true);
      });
    });
  }

  // ------------------------------------------------------------------ wiring

  function open(focus) {
    panel.hidden = false;
    wrap.classList.add("zw-open");
    launcher.setAttribute("aria-expanded", "true");
    save("open", true);
    connect();
    scrollToEnd();
    if (focus !== false) input.focus();
  }
  function close() {
    panel.hidden = true;
    wrap.classList.remove("zw-open");
    launcher.setAttribute("aria-expanded", "false");
    save("open", false);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener("click", close);
  restartBtn.addEventListener("click", function () {
    history = [];
    persist();
    sessionId = randomId();
    save("session", sessionId);
    if (socket && socket !== "loading") { socket.disconnect(); socket.connect(); }
    typing(false);
    renderAll();
    input.focus();
  });
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { ev.preventDefault(); close(); }
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  });

  function start() {
    document.body.appendChild(host);
    renderAll();
    var wasOpen = load("open", null);
    if (wasOpen === true || (wasOpen === null && cfg.startOpen)) open(false);
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
