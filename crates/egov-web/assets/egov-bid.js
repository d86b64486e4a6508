// Bids sealed in the bidder's browser (docs/procurement/sealing.md), with the Web Crypto API
// only: X25519, HMAC-SHA256 (HKDF), AES-256-GCM, Ed25519, SHA-256.
//
// - On "Bidding" (form.egov-keygen): makes a bid signing key (Ed25519) whose private half can
//   never leave this browser (not extractable), keeps it in IndexedDB, and registers its public
//   half with the form. Rows of keys this browser holds say so.
// - On a bid page (form.egov-bid): the price, the reserve-price picks and the documents are in
//   fields without a name, so the browser never sends them. On submit the script seals them
//   (HPKE base mode, RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, info
//   "egov procurement bid v1", aad the bid's context) to the tender's opening key, signs
//   context + "\n" + hex SHA-256(envelope) with this browser's key, and sends only the
//   envelope, the signature and the key's id.
//
// Without script (or without these algorithms) the page takes the file that
// `egov procurement seal-bid` writes.
(function bid() {
  const subtle = window.crypto && window.crypto.subtle;
  if (!subtle || !window.indexedDB) return;

  const enc = new TextEncoder();
  const utf8 = (s) => enc.encode(s);
  const concat = (...parts) => {
    const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
    const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) { out.set(a, at); at += a.length; }
    return out;
  };
  const b64 = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  // ---- the keys this browser keeps (IndexedDB, by public key)
  const open = () => new Promise((resolve, reject) => {
    const req = indexedDB.open('egov-bid-keys', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('keys', { keyPath: 'public_key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const store = async (mode, act) => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('keys', mode);
      const req = act(tx.objectStore('keys'));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  };
  const keep = (entry) => store('readwrite', (s) => s.put(entry));
  const find = (publicKey) => store('readonly', (s) => s.get(publicKey));

  // ---- HPKE base mode, single shot (RFC 9180 §5.1, §4.1)
  const V1 = utf8('HPKE-v1');
  const KEM = concat(utf8('KEM'), [0x00, 0x20]);
  const SUITE = concat(utf8('HPKE'), [0x00, 0x20, 0x00, 0x01, 0x00, 0x02]);
  const INFO = utf8('egov procurement bid v1');
  const NONE = new Uint8Array(0);
  // Web Crypto refuses an empty HMAC key; HMAC pads keys with zeros, so 32 zero bytes is the
  // same key (RFC 5869: an absent salt is HashLen zeros).
  const hmac = async (key, data) => {
    const k = await subtle.importKey('raw', key.length ? key : new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', k, data));
  };
  const expand = async (prk, info, length) => {
    let out = NONE;
    let t = NONE;
    for (let i = 1; out.length < length; i += 1) {
      t = await hmac(prk, concat(t, info, [i]));
      out = concat(out, t);
    }
    return out.slice(0, length);
  };
  const labeledExtract = (suite, salt, label, ikm) => hmac(salt, concat(V1, suite, utf8(label), ikm));
  const labeledExpand = (suite, prk, label, info, length) =>
    expand(prk, concat([length >> 8, length & 0xff], V1, suite, utf8(label), info), length);

  const seal = async (recipient, plaintext, aad) => {
    const eph = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    const encapsulated = new Uint8Array(await subtle.exportKey('raw', eph.publicKey));
    const peer = await subtle.importKey('raw', recipient, { name: 'X25519' }, false, []);
    const dh = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: peer }, eph.privateKey, 256));
    const prk = await labeledExtract(KEM, NONE, 'eae_prk', dh);
    const shared = await labeledExpand(KEM, prk, 'shared_secret', concat(encapsulated, recipient), 32);
    const context = concat([0], await labeledExtract(SUITE, NONE, 'psk_id_hash', NONE),
      await labeledExtract(SUITE, NONE, 'info_hash', INFO));
    const secret = await labeledExtract(SUITE, shared, 'secret', NONE);
    const key = await labeledExpand(SUITE, secret, 'key', context, 32);
    const nonce = await labeledExpand(SUITE, secret, 'base_nonce', context, 12);
    const aes = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
    const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, aes, plaintext));
    return concat(encapsulated, sealed);
  };

  // ---- "Bidding": make and register a key
  for (const form of document.querySelectorAll('form.egov-keygen')) {
    const make = form.querySelector('.egov-keygen-make');
    const say = form.querySelector('.egov-js-status');
    make.hidden = false;
    make.addEventListener('click', async () => {
      try {
        const pair = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
        const publicKey = b64(new Uint8Array(await subtle.exportKey('raw', pair.publicKey)));
        await keep({ public_key: publicKey, private_key: pair.privateKey, made_at: new Date().toISOString() });
        form.querySelector('[name=public_key]').value = publicKey;
        const label = form.querySelector('[name=label]');
        if (!label.value.trim()) label.value = form.dataset.inBrowser;
        say.textContent = form.dataset.made;
        HTMLFormElement.prototype.submit.call(form);
      } catch (e) {
        say.textContent = form.dataset.unsupported;
      }
    });
  }
  for (const state of document.querySelectorAll('.egov-key-state[data-public-key]')) {
    find(state.dataset.publicKey).then((k) => {
      if (k) state.textContent += ` · ${document.querySelector('form.egov-keygen')?.dataset.inBrowser ?? ''}`;
    }, () => {});
  }

  // ---- a bid page: seal, sign, send only the envelope
  for (const form of document.querySelectorAll('form.egov-bid')) {
    const say = form.querySelector('.egov-js-status');
    form.querySelector('.egov-bid-browser').hidden = false;
    form.querySelector('.egov-bid-file').hidden = true;
    const price = form.querySelector('#price');
    const set = (name, value) => { form.querySelector(`[name=${name}]`).value = value; };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      price.removeAttribute('aria-invalid');
      const amount = price.value.replace(/[\s,]/g, '');
      if (!/^\d+(\.\d+)?$/.test(amount) || !/[1-9]/.test(amount)) {
        say.textContent = form.dataset.badPrice;
        price.setAttribute('aria-invalid', 'true');
        price.focus();
        return;
      }
      const needed = Number(form.dataset.picks);
      const picks = Array.from(form.querySelectorAll('#picks input:checked'), (i) => Number(i.value) - 1);
      if (needed > 0 && picks.length !== needed) {
        say.textContent = form.dataset.badPicks;
        form.querySelector('#picks input').focus();
        return;
      }
      try {
        let signer = null;
        for (const k of JSON.parse(form.dataset.keys)) {
          const held = await find(k.public_key);
          if (held) { signer = { id: k.id, key: held.private_key }; break; }
        }
        if (!signer) { say.textContent = form.dataset.noKey; return; }
        say.textContent = form.dataset.sealing;
        const documents = [];
        for (const f of form.querySelector('#documents').files) {
          documents.push({ title: f.name, media_type: f.type || 'application/octet-stream', content: b64(new Uint8Array(await f.arrayBuffer())) });
        }
        const { tender, supplier } = form.dataset;
        const lot = form.querySelector('#lot').value;
        const context = `egov-bid-v1\n${tender}\n${lot}\n${supplier}`;
        const contents = {
          tender, lot, supplier, price: amount, reserve_picks: picks.sort((a, b) => a - b), documents,
          nonce: hex(crypto.getRandomValues(new Uint8Array(16))),
        };
        const envelope = await seal(unb64(form.dataset.openingKey), utf8(JSON.stringify(contents)), utf8(context));
        const digest = hex(new Uint8Array(await subtle.digest('SHA-256', envelope)));
        const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, signer.key, utf8(`${context}\n${digest}`)));
        set('sealed', b64(envelope));
        set('key_id', signer.id);
        set('signature', b64(signature));
        HTMLFormElement.prototype.submit.call(form);
      } catch (e) {
        say.textContent = form.dataset.unsupported;
      }
    });
  }
}());
