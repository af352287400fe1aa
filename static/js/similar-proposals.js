// While a proposal's title is written, proposals like it are listed under the form (links only;
// the preview lists them again with a "Support this one" button). Without JavaScript the
// preview alone shows them. Text is inserted as text, never as markup.
(function () {
  "use strict";
  var box = document.getElementById("similar-live");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) {
    return;
  }
  var timer = null;
  var last = "";

  function render(items) {
    box.textContent = "";
    if (!items.length) {
      return;
    }
    var card = document.createElement("div");
    card.className = "notice similar-live-card";
    var heading = document.createElement("p");
    heading.textContent = box.getAttribute("data-heading");
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.reference + " — " + item.title;
      entry.appendChild(link);
      list.appendChild(entry);
    });
    card.appendChild(heading);
    card.appendChild(list);
    box.appendChild(card);
  }

  function check() {
    var text = title.value.trim();
    if (text.length < 4 || text === last) {
      return;
    }
    last = text;
    var url = box.getAttribute("data-url") + "?title=" + encodeURIComponent(text);
    var exclude = box.getAttribute("data-exclude");
    if (exclude) {
      url += "&exclude=" + encodeURIComponent(exclude);
    }
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(render)
      .catch(function () { /* the preview still shows them */ });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 600);
  });
})();
