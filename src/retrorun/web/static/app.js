// retrorun web view: shows what the server sends and sends what the buttons ask for.
// Every word and countdown comes from the server (retrorun/web/display.py); this file only
// places them, keeps the socket open, and says when what it shows is stale.
"use strict";

const $ = (id) => document.getElementById(id);
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5000;
// A running session sends several states a second; this long without one means the
// connection is stuck even if the socket says it is open.
const SILENCE_MS = 5000;

const page = {
  socket: null,
  retryMs: RETRY_FIRST_MS,
  lastMessage: 0,
  running: false,
  ended: false,
  controls: false,
  nextId: 1,
  waitingForPin: false,
  wakeLock: null,
};

function setText(id, text) {
  const element = $(id);
  if (element.textContent !== text) element.textContent = text;
}

// The view's words and the elements that show them (element id: the id with _ as -).
const TEXTS = [
  "direction", "detail", "remaining", "remaining_label", "turn", "status", "target_speed",
  "measured_speed", "incline", "heart_rate", "distance", "session_left", "next",
];

function showState(view) {
  document.body.className = "tone-" + view.tone + (page.stale ? " is-stale" : "");
  for (const key of TEXTS) setText(key.replaceAll("_", "-"), view[key]);
  $("progress").style.width = (view.progress * 100).toFixed(1) + "%";
  const pause = $("pause");
  pause.dataset.command = view.paused ? "resume" : "pause";
  setText("pause", view.paused ? "Resume" : "Pause");
  page.running = view.status.startsWith("RUNNING");
  page.ended = view.ended;
  for (const button of $("controls").querySelectorAll("button")) {
    button.disabled = page.ended || !page.socketOpen;
  }
  document.title = view.direction + " " + view.remaining + " · retrorun";
}

function showCue(cue) {
  const element = $("cue");
  element.textContent = cue.text;
  element.dataset.kind = cue.kind;
  element.classList.remove("fresh");
  void element.offsetWidth; // restart the highlight animation
  element.classList.add("fresh");
}

function toast(text, ok) {
  const element = $("toast");
  element.textContent = text;
  element.dataset.ok = ok ? "yes" : "no";
  element.hidden = false;
  clearTimeout(page.toastTimer);
  page.toastTimer = setTimeout(() => { element.hidden = true; }, ok ? 1500 : 4000);
}

function setStale(stale, why) {
  page.stale = stale;
  $("stale").hidden = !stale;
  if (why) $("stale").textContent = why;
  document.body.classList.toggle("is-stale", stale);
  const link = $("link");
  link.dataset.state = stale ? "down" : "live";
  link.textContent = stale ? "stale" : "live";
}

function send(message) {
  if (page.socket && page.socket.readyState === WebSocket.OPEN) {
    page.socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function onMessage(event) {
  page.lastMessage = Date.now();
  const message = JSON.parse(event.data);
  switch (message.type) {
    case "welcome":
      page.controls = message.controls;
      page.retryMs = RETRY_FIRST_MS;
      $("controls").hidden = !message.controls;
      document.body.dataset.controls = message.controls ? "on" : "off";
      setStale(false);
      break;
    case "state":
      if (page.stale) setStale(false);
      showState(message.view);
      break;
    case "cue":
      showCue(message);
      break;
    case "result":
      toast(message.accepted ? message.reason : "Refused: " + message.reason, message.accepted);
      break;
    case "ended":
      page.ended = true;
      break;
    case "refused":
      page.refusal = message.reason;
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + location.host + "/ws");
  page.socket = socket;
  page.refusal = null;
  socket.onopen = () => {
    page.socketOpen = true;
    const pin = sessionStorage.getItem("retrorun-pin");
    socket.send(JSON.stringify(pin ? { type: "hello", pin } : { type: "hello" }));
  };
  socket.onmessage = onMessage;
  socket.onclose = () => {
    page.socketOpen = false;
    page.socket = null;
    for (const button of $("controls").querySelectorAll("button")) button.disabled = true;
    if (page.refusal) {
      askPin(page.refusal);
      return;
    }
    setStale(true, page.ended
      ? "Session over: this is its last state (waiting for a new one)"
      : "Connection lost: reconnecting… (showing the last state)");
    setTimeout(connect, page.ended ? RETRY_MAX_MS : page.retryMs);
    page.retryMs = Math.min(RETRY_MAX_MS, page.retryMs * 2);
  };
}

function askPin(reason) {
  page.waitingForPin = true;
  sessionStorage.removeItem("retrorun-pin");
  $("pin-reason").textContent = reason;
  $("pin-form").hidden = false;
  $("pin").focus();
}

function watchSilence() {
  setInterval(() => {
    if (page.socketOpen && page.running && Date.now() - page.lastMessage > SILENCE_MS) {
      setStale(true, "No news from the session: reconnecting…");
      page.socket.close();
    }
  }, 1000);
}

async function keepAwake() {
  // Only in a secure context (https or localhost) do browsers offer a wake lock.
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
  try {
    page.wakeLock = await navigator.wakeLock.request("screen");
  } catch (error) {
    page.wakeLock = null;
  }
}

function setMirror(on) {
  document.documentElement.classList.toggle("mirrored", on);
  $("mirror").setAttribute("aria-pressed", on ? "true" : "false");
  localStorage.setItem("retrorun-mirror", on ? "1" : "0");
}

function start() {
  $("controls").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const message = { type: "command", command: button.dataset.command, id: page.nextId++ };
    if (button.dataset.amount) message.amount = Number(button.dataset.amount);
    if (!send(message)) toast("Not connected: the command was not sent", false);
  });
  $("mirror").addEventListener("click", () => {
    setMirror(!document.documentElement.classList.contains("mirrored"));
  });
  setMirror(localStorage.getItem("retrorun-mirror") === "1");
  $("pin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("retrorun-pin", $("pin").value);
    $("pin-form").hidden = true;
    page.waitingForPin = false;
    connect();
  });
  document.addEventListener("visibilitychange", keepAwake);
  keepAwake();
  watchSilence();
  connect();
}

start();
