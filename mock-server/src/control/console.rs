//! The QA console part of the index page: per scenario the platform, errno and errMsg, the call
//! to copy, the step on the device, a QR code of the URL and a live view of what the server saw.
//! Plain HTML and a little inline JS; no external assets, so it works on a phone offline from
//! the internet.

use crate::control::escape::esc;
use crate::control::index_row::IndexRow;

/// Polls `/live/<key>.json` for every open live view, once a second, and filters rows.
const SCRIPT: &str = r#"<script>
(function(){
  var errno=document.getElementById('q-errno'), text=document.getElementById('q-text');
  function filter(){
    var e=errno.value.trim(), t=text.value.trim().toLowerCase(), shown=0;
    document.querySelectorAll('.scenario').forEach(function(r){
      var ok=(!e||r.dataset.errno===e)&&(!t||r.dataset.search.indexOf(t)>=0);
      r.style.display=ok?'':'none'; if(ok)shown++;
    });
    document.getElementById('q-count').textContent=shown+' shown';
  }
  errno.addEventListener('input',filter); text.addEventListener('input',filter); filter();
  function show(el,doc){
    var j=doc.journal, lines=[];
    lines.push(j.connections+' connection(s), '+j.requests.length+' request(s), at most '+j.max_in_flight+' at once'+(j.dropped?', '+j.dropped+' dropped':''));
    j.requests.forEach(function(q,i){
      lines.push('#'+(i+1)+' '+q.method+' '+q.path+' ('+q.listener+', '+q.version+') -> '+(q.status||'no status')+', '+q.bytes_sent+(q.body_len!=null?' of '+q.body_len:'')+' body bytes sent, ended: '+q.end+', '+q.duration_ms+' ms');
    });
    var l=el.dataset.listener, f=l&&doc.tls_handshake_failures[l];
    if(f)lines.push('TLS handshakes refused on '+l+' (all scenarios of this listener): '+f);
    if(!j.requests.length&&!f)lines.push('nothing yet: make the call on the device');
    el.querySelector('pre').textContent=lines.join('\n');
  }
  function poll(){
    document.querySelectorAll('details.live[open]').forEach(function(el){
      fetch('/live/'+encodeURIComponent(el.dataset.key)+'.json',{cache:'no-store'})
        .then(function(r){return r.json();}).then(function(d){show(el,d);})
        .catch(function(e){el.querySelector('pre').textContent='server not reachable: '+e;});
    });
  }
  // `#s-<key>` opens that scenario's QR code and live view, so a link can lead straight to it.
  var target=location.hash&&document.getElementById(location.hash.slice(1));
  if(target){target.querySelectorAll('details.qr,details.live').forEach(function(d){d.open=true;}); target.scrollIntoView();}
  setInterval(poll,1000); poll();
  document.addEventListener('toggle',function(ev){if(ev.target.matches&&ev.target.matches('details.live[open]'))poll();},true);
  document.querySelectorAll('button.copy').forEach(function(b){
    b.addEventListener('click',function(){
      var t=b.parentNode.querySelector('pre').textContent;
      if(navigator.clipboard)navigator.clipboard.writeText(t).then(function(){b.textContent='copied';});
    });
  });
})();
</script>"#;

/// The scenarios section: search boxes, then one block per row.
pub fn section(rows: &[IndexRow], host: &str) -> String {
    let mut out = format!(
        "<h2>Scenarios</h2><p>Unless a scenario says otherwise, its call assumes <code>{host}</code> is on \
         the API's domain list: add it in the platform's console, or turn domain checks off in the \
         developer tool. Install the <a href=\"/ca\">test CA</a> first for the https scenarios.</p><p>Search: errno <input id=\"q-errno\" inputmode=\"numeric\" size=\"8\"> \
         text <input id=\"q-text\" size=\"24\" placeholder=\"timeout, abort, 404...\"> \
         <span id=\"q-count\"></span></p>\
         <style>.scenario{{border-top:1px solid #ccc;padding:.5em 0}}.scenario pre{{white-space:pre-wrap;\
         word-break:break-all;background:#f6f6f6;padding:.4em;margin:.3em 0}}.qr{{max-width:100%;height:auto}}\
         .steps{{color:#8a4b00}}</style>",
        host = esc(host)
    );
    for r in rows {
        out.push_str(&scenario(r));
    }
    out.push_str(SCRIPT);
    out
}

fn scenario(r: &IndexRow) -> String {
    let search = [
        r.platform.as_str(),
        &r.case,
        &r.behaviour,
        r.err_msg.as_deref().unwrap_or(""),
        &r.api,
        &r.url,
        &r.steps.join(" "),
    ]
    .join(" ")
    .to_lowercase();
    // The behaviour names the errno already; the errMsg comes after it.
    let expect = match (&r.err_msg, r.err_msg_match.as_deref()) {
        (Some(m), Some("documented")) => {
            format!(
                ", errMsg as documented for the code: <code>{}</code>",
                esc(m)
            )
        }
        (Some(m), how) => format!(
            ", errMsg {} <code>{}</code>",
            how.unwrap_or("equals"),
            esc(m)
        ),
        (None, _) => String::new(),
    };
    let steps = if r.steps.is_empty() {
        String::new()
    } else {
        let items: String = r
            .steps
            .iter()
            .map(|s| format!("<li>{}</li>", esc(s)))
            .collect();
        format!("<p class=\"steps\">On the device:</p><ol class=\"steps\">{items}</ol>")
    };
    // Loaded only when opened, so the page stays small with hundreds of scenarios.
    let qr_src = format!(
        "/qr.svg?text={}",
        percent_encoding::utf8_percent_encode(&r.url, percent_encoding::NON_ALPHANUMERIC)
    );
    let qr = format!(
        "<details class=\"qr\"><summary>QR code of the URL</summary>\
         <img class=\"qr\" loading=\"lazy\" width=\"240\" height=\"240\" alt=\"QR code of the URL\" src=\"{}\"></details>",
        esc(&qr_src)
    );
    let live = match &r.key {
        Some(key) => format!(
            "<details class=\"live\" data-key=\"{}\" data-listener=\"{}\"><summary>What the server saw \
             (live)</summary><pre>open to watch</pre></details>",
            esc(key),
            esc(r.listener.as_deref().unwrap_or(""))
        ),
        None => "<p><i>No server is involved: the URL fails by itself.</i></p>".to_string(),
    };
    format!(
        "<div class=\"scenario\"{id} data-errno=\"{errno}\" data-search=\"{search}\">\
         <div><b>{platform}</b> · <code>{case}</code> · should <b>{behaviour}</b>{expect}</div>\
         <div>URL: <a href=\"{url}\"><code>{url}</code></a></div>\
         <div>Call: <button class=\"copy\">copy</button><pre>{snippet}</pre></div>\
         {steps}{qr}{live}\
         <details><summary>curl</summary><pre>{curl}</pre></details></div>",
        id = r
            .key
            .as_ref()
            .map(|k| format!(" id=\"s-{}\"", esc(k)))
            .unwrap_or_default(),
        errno = r.errno.map(|n| n.to_string()).unwrap_or_default(),
        search = esc(&search),
        platform = esc(&r.platform),
        case = esc(&r.case),
        behaviour = esc(&r.behaviour),
        url = esc(&r.url),
        snippet = esc(&r.snippet),
        curl = esc(&r.curl),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_shows_its_call_steps_qr_and_live_view_escaped() {
        let row = IndexRow {
            platform: "douyin".into(),
            case: "download/network/offline".into(),
            behaviour: "fail 121506".into(),
            errno: Some(121506),
            err_msg: Some("downloadFile:fail <net>".into()),
            err_msg_match: Some("prefix".into()),
            url: "https://h:1/f/a.bin?body=1m".into(),
            api: "tt.downloadFile".into(),
            snippet: "tt.downloadFile({url: \"https://h:1/f/a.bin?body=1m\"})".into(),
            steps: vec!["Go offline once the download starts".into()],
            key: Some("k1".into()),
            listener: Some("https".into()),
            ..IndexRow::default()
        };
        let html = section(&[row], "192.168.1.5");
        assert!(html.contains("data-errno=\"121506\""));
        assert!(html.contains("downloadFile:fail &lt;net&gt;"));
        assert!(html.contains("<li>Go offline once the download starts</li>"));
        assert!(
            html.contains("src=\"/qr.svg?text=https%3A%2F%2Fh%3A1%2Ff%2Fa%2Ebin%3Fbody%3D1m\"")
        );
        assert!(html.contains("data-key=\"k1\""));
        assert!(html.contains("id=\"s-k1\""));
        assert!(html.contains("<code>192.168.1.5</code> is on"));
        assert!(!html.contains("<net>"));
    }
}
