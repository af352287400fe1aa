// "Reply" under a comment: opens the thread's one reply form (its <template>) in place, posting to
// that comment's reply address; without JavaScript the link leads to the reply page instead.
(function () {
  "use strict";
  var template = document.getElementById("comment-reply-form");
  if (!template || !("content" in template)) { return; }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment-reply") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var actions = link.closest(".comment-actions");
    var comment = link.closest("[data-comment-id]");
    if (!actions || !comment) { return; }
    event.preventDefault();
    var open = actions.querySelector("form.comment-reply-form");
    if (!open) {
      open = template.content.firstElementChild.cloneNode(true);
      var id = "reply-" + comment.getAttribute("data-comment-id") + "-body";
      open.action = link.href;
      open.querySelector("textarea").id = id;
      open.querySelector("label").htmlFor = id;
      actions.appendChild(open);
      link.setAttribute("aria-expanded", "true");
    }
    open.querySelector("textarea").focus();
  });
})();
