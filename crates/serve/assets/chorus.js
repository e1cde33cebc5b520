// Chorus story explorer: the page's own small script. Every page works without it; it only makes them
// smoother, through the same JSON API that scripts use. Comment text is only ever inserted as text
// (textContent), never as HTML.
"use strict";

(function () {
  document.documentElement.classList.add("js");

  // The overview refreshes itself while its figures are being prepared.
  const waiting = document.querySelector("[data-refresh]");
  if (waiting) {
    const seconds = Number(waiting.getAttribute("data-refresh")) || 2;
    setTimeout(function () { location.reload(); }, seconds * 1000);
  }

  // "/" jumps to the search box, as on many sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    const box = document.getElementById("q") || document.getElementById("quick-q");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });

  const searchForm = document.querySelector("form.search");
  if (searchForm) {
    // A new order applies at once.
    const sort = searchForm.querySelector("select[name=sort]");
    if (sort) sort.addEventListener("change", function () { searchForm.submit(); });

    // As the query is typed, say how many comments it would match, or what is wrong with it.
    const box = searchForm.querySelector("input[name=q]");
    const live = document.getElementById("q-live");
    let timer = null;
    let asked = 0;
    if (box && live) {
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          const params = new URLSearchParams(new FormData(searchForm));
          params.set("limit", "0");
          params.set("attributes", "0");
          const ticket = ++asked;
          fetch("/api/search?" + params.toString(), { headers: { "Accept": "application/json" } })
            .then(function (response) { return response.json(); })
            .then(function (answer) {
              if (ticket !== asked) return;
              if (typeof answer.total === "number") {
                live.textContent = answer.total.toLocaleString("en-GB") +
                  (answer.total === 1 ? " comment matches" : " comments match") + " (press Enter to see them)";
              } else if (answer.error) {
                live.textContent = "Not yet a query: " + answer.error;
              }
            })
            .catch(function () { /* the form still works */ });
        }, 300);
      });
    }
  }

  // Corrections go through the API, then the page shows the comment as it now stands.
  const labels = document.getElementById("labels");
  if (labels) {
    const key = labels.getAttribute("data-key");
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "hint";
    labels.appendChild(status);
    labels.querySelectorAll("form.correction").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        const body = {};
        new FormData(form).forEach(function (value, name) {
          if (name === "token") return;
          if (name === "theme_choice") {
            const at = String(value).indexOf(":");
            body.source = String(value).slice(0, at);
            body.theme = String(value).slice(at + 1);
          } else {
            body[name] = String(value);
          }
        });
        status.textContent = "Saving…";
        fetch("/api/comments/" + encodeURIComponent(key) + "/corrections", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify(body),
        })
          .then(function (response) {
            return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
          })
          .then(function (result) {
            if (result.ok) {
              location.replace(location.pathname + "?saved=" + Date.now() + "#labels");
            } else {
              status.textContent = "Not saved: " + (result.answer.error || "the server refused it");
            }
          })
          .catch(function () {
            status.textContent = "Not saved: the server could not be reached";
          });
      });
    });
  }
})();
