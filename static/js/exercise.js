// The answer boxes of a topic page: live preview while typing, then submit and wait for the verdict.
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;
  var WAIT_S = 15;
  var MAX_POLLS = 12;
  var FINAL = ["graded", "invalid", "error"];

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function math(tex) {
    var el = node("span", "math");
    el.setAttribute("data-tex", tex);
    el.textContent = tex;
    return el;
  }

  // A plain-language reading of an answer in the input language, for screen readers: they do not read the
  // MathML of a live region, so the preview and the verdict are announced in words.
  var SPOKEN = [
    [/\bsqrt\(/g, "square root of ("], [/\babs\(/g, "absolute value of ("], [/\bexp\(/g, "e to the power ("],
    [/\^T\b/g, " transpose"], [/\^/g, " to the power "], [/\*/g, " times "], [/\//g, " over "], [/\+/g, " plus "], [/-/g, " minus "],
  ];

  function spoken(text) {
    var words = text;
    if (/^\[\[/.test(words)) {
      words = "the matrix with rows " + words.slice(2, -2).split(/\],\s*\[/).join("; then ");
    } else if (/^\[/.test(words)) {
      words = "the vector " + words.slice(1, -1);
    }
    for (var i = 0; i < SPOKEN.length; i++) words = words.replace(SPOKEN[i][0], SPOKEN[i][1]);
    return words.replace(/\s+/g, " ").trim();
  }

  function say(exercise, message) {
    exercise.announcer.textContent = message;
  }

  function typeset(root) {
    if (window.renderMath) window.renderMath(root);
  }

  function request(form, method, url, body) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRFToken"] = form.getAttribute("data-csrf");
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // The text with the character the parser points at marked, so the student sees where it went wrong.
  function pointAt(text, position) {
    var code = node("code", "error-context");
    code.appendChild(document.createTextNode(text.slice(0, position)));
    code.appendChild(node("mark", "error-char", text.charAt(position) || "\u2423"));
    code.appendChild(document.createTextNode(text.slice(position + 1)));
    return code;
  }

  function showPreview(exercise, text, result) {
    var box = exercise.preview;
    box.textContent = "";
    box.className = "preview";
    exercise.input.removeAttribute("aria-invalid");
    if (!result || !text.trim()) {
      say(exercise, "");
      return;
    }
    if (result.ok) {
      box.classList.add("preview-ok");
      box.appendChild(node("span", "preview-label", "Interpreted as "));
      box.appendChild(math(result.latex));
      if (result.note) box.appendChild(node("span", "preview-note", " " + result.note));
      // How ambiguous notation was read ("1/2x" is (1/2)·x), before the student submits.
      (result.notes || []).forEach(function (note) {
        box.appendChild(node("span", "preview-reading", note));
      });
      typeset(box);
      say(exercise, "Interpreted as " + spoken(result.text || text) + "." + (result.note ? " " + result.note : ""));
      return;
    }
    box.classList.add("preview-error");
    exercise.input.setAttribute("aria-invalid", "true");
    box.appendChild(node("span", "preview-icon", "\u26a0 "));
    box.appendChild(node("span", "preview-message", result.error || "This answer cannot be read."));
    say(exercise, "Cannot be read yet: " + (result.error || "this answer cannot be read."));
    if (typeof result.position === "number") {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(pointAt(text, result.position));
    } else if (result.latex) {
      box.appendChild(node("span", "preview-label", " Read as "));
      box.appendChild(math(result.latex));
      typeset(box);
    }
  }

  function preview(exercise, text) {
    var ticket = ++exercise.ticket;
    return request(exercise.form, "POST", "/api/preview", { exercise: exercise.ref, answer: text }).then(function (r) {
      if (r.status !== 200) return null;
      if (ticket === exercise.ticket) showPreview(exercise, text, r.data);
      exercise.read = { text: text, result: r.data };
      return r.data;
    });
  }

  function showVerdict(exercise, kind, title, detail) {
    var box = exercise.verdict;
    box.textContent = "";
    box.className = "verdict verdict-" + kind;
    exercise.verdictKind = title ? kind : null;
    if (!title) return;
    var icon = { correct: "\u2713 ", partial: "\u25d1 ", incorrect: "\u2717 ", invalid: "\u26a0 ", error: "\u26a0 " }[kind];
    if (icon) box.appendChild(node("span", "verdict-icon", icon));
    box.appendChild(node("strong", "verdict-title", title));
    if (detail) box.appendChild(node("span", "verdict-detail", " " + detail));
  }

  // Set the button from what is true now: closed exercises and answers being graded take no second click.
  function settle(exercise) {
    var closed = !!exercise.root.querySelector(".attempts-left.none");
    exercise.input.disabled = closed;
    exercise.button.disabled = closed || exercise.busy;
    exercise.button.textContent = exercise.busy ? "Grading\u2026" : "Submit";
  }

  function refreshProgress(exercise) {
    return fetch(exercise.progressUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (markup) {
        var holder = exercise.root.querySelector(".exercise-progress");
        var fresh = new DOMParser().parseFromString(markup, "text/html").body;
        holder.replaceChildren.apply(holder, Array.prototype.slice.call(fresh.childNodes));
        typeset(holder);
        settle(exercise);
      });
    });
  }

  function waitForVerdict(exercise, id, polls) {
    return request(exercise.form, "GET", "/api/submissions/" + id + "?wait=" + WAIT_S).then(function (r) {
      if (r.status === 200 && FINAL.indexOf(r.data.status) >= 0) return r.data;
      if (polls >= MAX_POLLS) return null;
      return waitForVerdict(exercise, id, polls + 1);
    });
  }

  function announce(exercise, submission) {
    if (!submission) {
      showVerdict(exercise, "pending", "Still grading.", "Your answer is saved; reload the page later to see its verdict.");
    } else if (submission.verdict === "correct") {
      showVerdict(exercise, "correct", "Correct!", "");
    } else if (submission.verdict === "incorrect" && submission.score > 0) {
      var share = Math.round(submission.score * 100);
      showVerdict(exercise, "partial", "Partly right (" + share + " %).", submission.feedback);
    } else if (submission.verdict === "incorrect") {
      showVerdict(exercise, "incorrect", "Not quite.", submission.feedback);
    } else if (submission.verdict === "invalid") {
      showVerdict(exercise, "invalid", "Could not read this answer.", submission.feedback);
    } else {
      showVerdict(exercise, "error", "Not graded.", submission.feedback);
    }
  }

  function submit(exercise) {
    var text = exercise.input.value;
    clearTimeout(exercise.timer);
    if (exercise.busy) return;
    if (!text.trim()) {
      showVerdict(exercise, "invalid", "Type an answer first.");
      exercise.input.focus();
      return;
    }
    exercise.busy = true;
    settle(exercise);
    // The text was most likely read already while it was typed: that reading stands.
    var reading = exercise.read && exercise.read.text === text ? Promise.resolve(exercise.read.result) : preview(exercise, text);
    reading
      .then(function (read) {
        if (read && !read.ok) {
          showVerdict(exercise, "invalid", "Not submitted:", "this answer cannot be read yet (see above). It cost no attempt.");
          exercise.input.focus();
          return;
        }
        showVerdict(exercise, "pending", "Grading\u2026");
        // One request: the answer comes back with its verdict, or with its status so far after WAIT_S.
        var body = { exercise: exercise.ref, answer: text };
        return request(exercise.form, "POST", "/api/submissions?wait=" + WAIT_S, body).then(function (r) {
          if (r.status !== 201 && r.status !== 200) {
            showVerdict(exercise, "error", "Not submitted:", r.data.detail || "please try again.");
            return;
          }
          var verdict = FINAL.indexOf(r.data.status) >= 0 ? r.data : null;
          if (!verdict) refreshProgress(exercise);
          return (verdict ? Promise.resolve(verdict) : waitForVerdict(exercise, r.data.id, 0)).then(function (submission) {
            announce(exercise, submission);
            return refreshProgress(exercise);
          });
        });
      })
      .catch(function () {
        showVerdict(exercise, "error", "Could not reach the server.", "Check your connection and try again.");
      })
      .then(function () {
        exercise.busy = false;
        settle(exercise);
      });
  }

  function setUp(root) {
    var form = root.querySelector(".answer-form");
    if (!form) return;
    var exercise = {
      root: root,
      form: form,
      ref: root.getAttribute("data-exercise"),
      progressUrl: root.getAttribute("data-progress-url"),
      input: form.querySelector(".answer-input"),
      button: form.querySelector(".answer-submit"),
      preview: form.querySelector(".preview"),
      verdict: form.querySelector(".verdict"),
      announcer: form.querySelector(".preview-spoken"),
      timer: null,
      ticket: 0,
      busy: false,
      verdictKind: null,
      read: null,
    };
    exercise.input.addEventListener("input", function () {
      clearTimeout(exercise.timer);
      // A message about the text as it was ("Type an answer first.", "Not submitted") is stale once it changes.
      if (exercise.verdictKind === "invalid" && !exercise.busy) showVerdict(exercise, "", "");
      var text = exercise.input.value;
      if (!text.trim()) {
        exercise.ticket++;
        showPreview(exercise, "", null);
        return;
      }
      exercise.timer = setTimeout(function () { preview(exercise, text); }, DEBOUNCE_MS);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(exercise);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var exercises = document.querySelectorAll("section[data-exercise]");
    for (var i = 0; i < exercises.length; i++) setUp(exercises[i]);
  });
})();
