// Uploads on a documents page: a progressive enhancement over the plain multipart form. Without
// script the form posts as it is and the server answers. With it, a file over the size limit is
// refused before it is sent (the server checks again, and checks the content's type), and the
// upload shows its progress in a <progress> bar, said in a live region every quarter; when it is
// done the page opens again at the document (`?uploaded=<field>#<field>`), as the plain form's
// answer would. Any other answer (a
// refused type, an expired session) falls back to the plain form, so the server's own page says
// what is wrong.
(function upload() {
  for (const form of document.querySelectorAll('form.egov-upload')) {
    const file = form.querySelector('input[type=file]');
    const box = form.querySelector('.egov-progress');
    if (!file || !box || !window.FormData) continue;
    const bar = box.querySelector('progress');
    const say = box.querySelector('[role=status]');
    const plain = () => HTMLFormElement.prototype.submit.call(form);
    form.addEventListener('submit', (e) => {
      const f = file.files[0];
      if (!f) return; // the server says that a file is needed
      e.preventDefault();
      box.hidden = false;
      const max = Number(form.dataset.maxBytes);
      if (max && f.size > max) {
        bar.hidden = true;
        say.textContent = form.dataset.tooLarge;
        file.setAttribute('aria-invalid', 'true');
        file.focus();
        return;
      }
      file.removeAttribute('aria-invalid');
      bar.hidden = false;
      bar.value = 0;
      say.textContent = form.dataset.progress.replace('#', '0');
      let said = 0;
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', (p) => {
        if (!p.lengthComputable) return;
        const pct = Math.floor((p.loaded * 100) / p.total);
        bar.value = pct;
        if (pct >= said + 25) {
          said = pct - (pct % 25);
          say.textContent = form.dataset.progress.replace('#', String(said));
        }
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
          say.textContent = form.dataset.sent;
          // A real navigation (the same address with only a new fragment would not reload).
          const url = new URL(xhr.responseURL);
          url.searchParams.set('uploaded', file.id);
          url.hash = file.id;
          window.location.assign(url.href);
        } else {
          plain();
        }
      });
      xhr.addEventListener('error', plain);
      xhr.send(new FormData(form));
    });
  }
}());
