// Records every uncaught error and console.error in the body's data-errors, so a test reading the
// drawn page can tell a clean load from a broken one.
(function () {
  'use strict';
  const errors = [];
  function note(text) {
    errors.push(String(text));
    if (document.body) document.body.dataset.errors = JSON.stringify(errors);
  }
  window.addEventListener('error', function (e) { note(e.message || e); });
  window.addEventListener('unhandledrejection', function (e) { note(e.reason); });
  const original = console.error;
  console.error = function () {
    note(Array.from(arguments).join(' '));
    original.apply(console, arguments);
  };
  document.addEventListener('DOMContentLoaded', function () {
    document.body.dataset.errors = JSON.stringify(errors);
  });
})();
