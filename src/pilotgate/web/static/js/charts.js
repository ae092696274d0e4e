// Vega-Lite charts without eval: every element with data-vega-spec is rendered by vega-embed with
// the vega-interpreter expression evaluator, as the Content-Security-Policy requires. The chart
// libraries (vendored, same origin) load on the first page that has a chart — including pages
// reached through htmx-boosted links, whose <head> scripts would never run.
(function () {
  var LIBRARIES = [
    "/static/vendor/vega/vega.min.js",
    "/static/vendor/vega-lite/vega-lite.min.js",
    "/static/vendor/vega-embed/vega-embed.min.js",
    "/static/vendor/vega-interpreter/vega-interpreter.min.js"
  ];
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function libraries() {
    if (window.vegaEmbed && window.vegaInterpreter) return Promise.resolve();
    if (!loading) {
      loading = LIBRARIES.reduce(function (chain, src) {
        return chain.then(function () { return loadScript(src); });
      }, Promise.resolve());
    }
    return loading;
  }

  function render(root) {
    var pending = (root || document).querySelectorAll("[data-vega-spec]:not([data-rendered])");
    if (!pending.length) return;
    libraries().then(function () {
      pending.forEach(function (el) {
        if (el.hasAttribute("data-rendered")) return;
        el.setAttribute("data-rendered", "1");
        var spec = JSON.parse(el.getAttribute("data-vega-spec"));
        window.vegaEmbed(el, spec, {
          actions: false, renderer: "svg", ast: true, expr: window.vegaInterpreter.expressionInterpreter
        }).catch(function (error) { el.textContent = "The chart could not be drawn: " + error.message; });
      });
    }).catch(function (error) {
      pending.forEach(function (el) { el.textContent = "The chart could not be drawn: " + error.message; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
