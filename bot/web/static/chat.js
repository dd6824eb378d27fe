// ZUSM hospital assistant: chat client for Rasa's REST channel (proxied same-origin).
// Message text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var WEBHOOK = "/webhooks/rest/webhook";
  var SENDER_KEY = "zusm-assistant-sender";
  var TIMEOUT_MS = 60000;
  var SUGGESTIONS = [
    "When was the Second Affiliated Hospital founded?",
    "How many beds does the First Affiliated Hospital have?",
    "What does the ultrasound department do?",
    "How many hospitals are in the ZUSM network?"
  ];

  var messages, input, sendButton, form, suggestions, statusLine;
  var pending = false;
  var typingEl = null;

  function randomId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  var memorySender = null;
  function senderId() {
    try {
      var id = window.localStorage.getItem(SENDER_KEY);
      if (!id) {
        id = "web-" + randomId();
        window.localStorage.setItem(SENDER_KEY, id);
      }
      return id;
    } catch (e) {
      // localStorage blocked (private mode, cookies off): keep an id for this page only.
      if (!memorySender) memorySender = "web-" + randomId();
      return memorySender;
    }
  }

  function scrollToEnd() {
    messages.scrollTop = messages.scrollHeight;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function addUserMessage(text) {
    var wrap = el("div", "msg user");
    wrap.appendChild(el("div", "bubble", text));
    messages.appendChild(wrap);
    scrollToEnd();
  }

  // Split off a last line starting with "Source:" so it can be shown smaller.
  function splitSource(text) {
    var lines = String(text).replace(/\s+$/, "").split("\n");
    var last = lines.length ? lines[lines.length - 1].trim() : "";
    if (lines.length && /^Source:/i.test(last)) {
      lines.pop();
      return { body: lines.join("\n").replace(/\s+$/, ""), source: last };
    }
    return { body: lines.join("\n"), source: null };
  }

  function addBotMessage(reply) {
    var wrap = el("div", "msg bot");
    if (typeof reply.text === "string" && reply.text.length) {
      var parts = splitSource(reply.text);
      var bubble = el("div", "bubble");
      if (parts.body) bubble.appendChild(el("span", "text", parts.body));
      if (parts.source) bubble.appendChild(el("span", "source", parts.source));
      wrap.appendChild(bubble);
    }
    if (Array.isArray(reply.buttons) && reply.buttons.length) {
      var group = el("div", "buttons");
      reply.buttons.forEach(function (b) {
        if (!b) return;
        var title = b.title != null ? String(b.title) : String(b.payload || "");
        var payload = b.payload != null ? String(b.payload) : title;
        var btn = el("button", null, title);
        btn.type = "button";
        btn.addEventListener("click", function () {
          if (pending) return;
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) {
            x.disabled = true;
          });
          send(payload, title);
        });
        group.appendChild(btn);
      });
      wrap.appendChild(group);
    }
    if (wrap.childNodes.length) {
      messages.appendChild(wrap);
      scrollToEnd();
    }
  }

  function addErrorLine(text) {
    var wrap = el("div", "msg bot");
    wrap.appendChild(el("div", "bubble error", text));
    messages.appendChild(wrap);
    scrollToEnd();
  }

  function showTyping(on) {
    if (on && !typingEl) {
      typingEl = el("div", "msg bot typing");
      typingEl.appendChild(el("div", "bubble muted", "typing…"));
      typingEl.setAttribute("aria-label", "The assistant is typing");
      messages.appendChild(typingEl);
      scrollToEnd();
    } else if (!on && typingEl) {
      typingEl.remove();
      typingEl = null;
    }
  }

  function setPending(on) {
    pending = on;
    sendButton.disabled = on;
    showTyping(on);
  }

  function hideSuggestions() {
    while (suggestions.firstChild) suggestions.removeChild(suggestions.firstChild);
  }

  function send(message, shownAs) {
    message = String(message || "").trim();
    if (!message || pending) return;
    hideSuggestions();
    statusLine.textContent = "";
    addUserMessage(shownAs != null ? shownAs : message);
    setPending(true);

    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;

    fetch(WEBHOOK, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: senderId(), message: message }),
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (!res.ok) {
        var err = new Error("HTTP " + res.status);
        err.status = res.status;
        throw err;
      }
      return res.json();
    }).then(function (replies) {
      setPending(false);
      if (!Array.isArray(replies) || replies.length === 0) {
        addBotMessage({ text: "Sorry, I don't have an answer for that. Try rephrasing, or see the FAQ page." });
        return;
      }
      replies.forEach(function (r) { if (r && typeof r === "object") addBotMessage(r); });
    }).catch(function (err) {
      setPending(false);
      if (err && err.name === "AbortError") {
        addErrorLine("The assistant is taking too long to answer. Please try again in a moment.");
      } else if (err && err.status === 413) {
        addErrorLine("That message is too long. Please send a shorter question.");
      } else {
        addErrorLine("Sorry, I can't reach the assistant right now. Please try again in a moment.");
      }
    }).then(function () {
      if (timer) clearTimeout(timer);
      input.focus();
    });
  }

  function renderSuggestions() {
    SUGGESTIONS.forEach(function (q) {
      var b = el("button", null, q);
      b.type = "button";
      b.addEventListener("click", function () { send(q); });
      suggestions.appendChild(b);
    });
  }

  function init() {
    messages = document.getElementById("messages");
    input = document.getElementById("input");
    sendButton = document.getElementById("send");
    form = document.getElementById("composer");
    suggestions = document.getElementById("suggestions");
    statusLine = document.getElementById("status");

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = input.value;
      if (!text.trim() || pending) return;
      input.value = "";
      send(text);
    });

    addBotMessage({ text: "Hello! I can answer questions about ZUSM's hospitals, departments and medical school. What would you like to know?" });
    renderSuggestions();
    input.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
