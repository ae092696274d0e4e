// pilotgate page behaviour. No inline scripts: the Content-Security-Policy allows 'self' only.
(function () {
  function renderDiagrams(root) {
    if (!window.mermaid) return;
    var nodes = (root || document).querySelectorAll("pre.mermaid:not([data-processed])");
    if (nodes.length) window.mermaid.run({ nodes: nodes });
  }
  function addConditionRow(button) {
    var list = document.getElementById(button.getAttribute("data-target"));
    if (!list || !list.firstElementChild) return;
    var copy = list.firstElementChild.cloneNode(true);
    copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    list.appendChild(copy);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) { event.preventDefault(); addConditionRow(button); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (window.mermaid) window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
    renderDiagrams(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { renderDiagrams(event.target); });
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.headers["X-CSRF-Token"] = token.getAttribute("content");
  });
})();
