// Hold timer for the session page. Plain JavaScript, no framework.
//
// Every phase (get ready, hold, rest) is timed from Date.now() at its start, not
// by counting ticks: a throttled background tab or a locked screen only delays
// the display, and on return the timer catches up through any phases that ended
// meanwhile. What it measures fills the log form's "sets done" and per-set fields.
(function () {
  "use strict";

  const TICK_MS = 200;
  const soundSwitch = document.getElementById("timer-sound");
  let audio = null;

  function feedback(kind) {
    if (soundSwitch && !soundSwitch.checked) return;
    if (navigator.vibrate) navigator.vibrate(kind === "end" ? [120, 80, 120] : 80);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = kind === "start" ? 880 : 660;
      gain.gain.value = 0.08;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.15);
    } catch (error) {
      // No audio here (or not allowed yet): the visual timer is enough.
    }
  }

  let wakeLock = null;
  async function keepScreenOn(on) {
    try {
      if (on && "wakeLock" in navigator && !wakeLock) {
        wakeLock = await navigator.wakeLock.request("screen");
        wakeLock.addEventListener("release", () => { wakeLock = null; });
      } else if (!on && wakeLock) {
        await wakeLock.release();
        wakeLock = null;
      }
    } catch (error) {
      wakeLock = null; // Refused (battery saver, hidden tab): carry on without it.
    }
  }

  class HoldTimer {
    constructor(root) {
      this.root = root;
      const d = root.dataset;
      this.sets = parseInt(d.sets, 10) || 1;
      this.hold = parseInt(d.hold, 10) || 0;
      this.reps = parseInt(d.reps, 10) || 0;
      this.dynamic = !this.hold && this.reps > 0;
      const restCap = parseInt(d.restCap, 10);
      this.rest = Math.min(parseInt(d.rest, 10) || 0, restCap > 0 ? restCap : Infinity);
      this.getReady = parseInt(d.getReady, 10) || 0;
      this.labels = d;
      this.el = {
        phase: root.querySelector(".timer-phase"),
        count: root.querySelector(".timer-count"),
        bar: root.querySelector(".timer-bar"),
        sets: root.querySelector(".timer-sets"),
        breath: root.querySelector(".timer-breath"),
        start: root.querySelector("[data-action=start]"),
        pause: root.querySelector("[data-action=pause]"),
        skip: root.querySelector("[data-action=skip]"),
        setDone: root.querySelector("[data-action=set-done]"),
      };
      this.reset();
      this.el.start.addEventListener("click", () => this.start());
      this.el.pause.addEventListener("click", () => this.togglePause());
      this.el.skip.addEventListener("click", () => this.skip());
      this.el.setDone.addEventListener("click", () => this.finishDynamicSet());
    }

    reset() {
      this.phase = "idle";
      this.set = 1;
      this.results = [];
      this.phaseStart = 0;
      this.pausedAt = null;
      this.interval = null;
    }

    duration(phase) {
      return { ready: this.getReady, hold: this.hold, rest: this.rest }[phase] || 0;
    }

    start() {
      if (this.phase !== "idle" && this.phase !== "done") return;
      this.reset();
      feedback("start");
      keepScreenOn(true);
      this.enter(this.getReady > 0 ? "ready" : this.workPhase(), Date.now());
      this.interval = window.setInterval(() => this.tick(), TICK_MS);
      this.root.dispatchEvent(new CustomEvent("timer:started", { bubbles: true }));
    }

    workPhase() {
      return this.dynamic ? "reps" : "hold";
    }

    enter(phase, at) {
      this.phase = phase;
      this.phaseStart = at;
      this.render();
    }

    elapsed(now) {
      return Math.max(0, (now - this.phaseStart) / 1000);
    }

    // Advance through every phase that has ended by `now`; a long sleep may end several.
    tick() {
      if (this.pausedAt !== null || this.phase === "idle" || this.phase === "done") return;
      const now = Date.now();
      let guard = 100;
      while (guard-- > 0 && this.phase !== "reps" && this.phase !== "done") {
        const length = this.duration(this.phase);
        const endsAt = this.phaseStart + length * 1000;
        if (now < endsAt) break;
        this.completePhase(endsAt);
      }
      this.render();
    }

    completePhase(at) {
      if (this.phase === "ready") {
        feedback("start");
        this.enter(this.workPhase(), at);
      } else if (this.phase === "hold") {
        this.results.push(this.hold);
        this.afterWork(at);
      } else if (this.phase === "rest") {
        this.set += 1;
        feedback("start");
        this.enter(this.workPhase(), at);
      }
    }

    afterWork(at) {
      this.fillForm();
      if (this.results.length >= this.sets) {
        this.finish();
      } else {
        feedback("end");
        this.enter(this.rest > 0 ? "rest" : this.workPhase(), at);
        if (this.rest <= 0) this.set += 1;
      }
    }

    finishDynamicSet() {
      if (this.phase !== "reps" || this.pausedAt !== null) return;
      this.results.push(this.reps);
      this.afterWork(Date.now());
    }

    skip() {
      const now = Date.now();
      if (this.phase === "ready") {
        this.enter(this.workPhase(), now);
      } else if (this.phase === "hold") {
        // Record what was actually held, rounded down.
        this.results.push(Math.floor(this.elapsed(this.pausedAt ?? now)));
        this.pausedAt = null;
        this.afterWork(now);
      } else if (this.phase === "reps") {
        this.results.push(0);
        this.afterWork(now);
      } else if (this.phase === "rest") {
        this.completePhase(now);
      }
      this.render();
    }

    togglePause() {
      if (this.phase === "idle" || this.phase === "done") return;
      const now = Date.now();
      if (this.pausedAt === null) {
        this.pausedAt = now;
      } else {
        this.phaseStart += now - this.pausedAt; // the paused time does not count
        this.pausedAt = null;
      }
      this.render();
    }

    finish() {
      window.clearInterval(this.interval);
      this.phase = "done";
      feedback("end");
      keepScreenOn(false);
      this.render();
      this.root.dispatchEvent(new CustomEvent("timer:done", { bubbles: true }));
    }

    fillForm() {
      const sets = document.getElementById(this.root.dataset.setsField);
      const perSet = document.getElementById(this.root.dataset.perSetField);
      if (sets) sets.value = String(this.results.length);
      if (perSet) perSet.value = this.results.join(", ");
    }

    render() {
      const l = this.labels;
      const now = this.pausedAt ?? Date.now();
      const length = this.duration(this.phase);
      const left = Math.max(0, Math.ceil(length - this.elapsed(now)));
      const phaseText = {
        idle: this.el.phase.textContent,
        ready: l.labelReady,
        hold: l.labelHold,
        reps: l.labelReps,
        rest: l.labelRest,
        done: l.labelDone,
      }[this.phase];
      this.el.phase.textContent = this.pausedAt !== null ? `${l.labelPaused} — ${phaseText}` : phaseText;
      if (this.phase === "reps") {
        this.el.count.textContent = String(this.reps);
      } else if (this.phase === "done") {
        this.el.count.textContent = "✓";
      } else if (this.phase !== "idle") {
        this.el.count.textContent = String(left);
      }
      const fraction = length > 0 ? Math.min(1, this.elapsed(now) / length) : 0;
      this.el.bar.value = Math.round(fraction * 100);
      const setNumber = Math.min(this.set, this.sets);
      this.el.sets.textContent = `${l.labelSet} ${setNumber} ${l.labelOf} ${this.sets}`;
      this.el.breath.hidden = this.phase !== "hold";
      const running = !["idle", "done"].includes(this.phase);
      this.el.start.hidden = running;
      if (this.phase === "done") this.el.start.textContent = l.labelAgain;
      this.el.pause.hidden = !running;
      this.el.skip.hidden = !running;
      this.el.setDone.hidden = this.phase !== "reps";
      this.el.pause.textContent = this.pausedAt !== null ? l.labelResume : l.labelPause;
      this.root.dataset.phase = this.phase;
    }
  }

  const timers = Array.from(document.querySelectorAll("[data-hold-timer]")).map(
    (root) => new HoldTimer(root)
  );

  // "Start whole session": run each exercise's timer in turn.
  let wholeSession = false;
  document.querySelector("[data-session-start]")?.addEventListener("click", () => {
    wholeSession = true;
    const first = timers.find((timer) => timer.phase !== "done") || timers[0];
    if (first) {
      first.root.scrollIntoView({ behavior: "smooth", block: "start" });
      first.start();
    }
  });
  document.addEventListener("timer:done", (event) => {
    if (!wholeSession) return;
    const index = timers.findIndex((timer) => timer.root === event.target);
    const next = timers.slice(index + 1).find((timer) => timer.phase === "idle");
    if (next) {
      next.root.scrollIntoView({ behavior: "smooth", block: "start" });
      next.start();
    } else {
      wholeSession = false;
      document.getElementById("session-form")?.querySelector("[data-submit-once]")?.focus();
    }
  });

  // Back from a locked screen or another tab: catch up at once, ask for the wake lock again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    timers.forEach((timer) => timer.tick());
    if (timers.some((timer) => !["idle", "done"].includes(timer.phase))) keepScreenOn(true);
  });

  // A double tap on "Save" sends one request; the server would make it one session anyway.
  document.querySelectorAll("form [data-submit-once]").forEach((button) => {
    button.form.addEventListener("submit", () => {
      window.setTimeout(() => { button.disabled = true; }, 0);
    });
  });
})();
