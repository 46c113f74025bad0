//! QR codes of scenario URLs as inline SVG, so a phone's camera opens the URL; made locally.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white border around the code (the standard's quiet zone).
pub const QUIET_ZONE: usize = 4;

/// The QR code of `text` as a square matrix of modules, `true` for dark, without the quiet zone.
pub fn matrix(text: &str) -> Option<Vec<Vec<bool>>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    Some(
        colors
            .chunks(width)
            .map(|row| row.iter().map(|c| *c == Color::Dark).collect())
            .collect(),
    )
}

/// The QR code of `text` as an SVG element: one path, a `M{x} {y}h{n}v1h-{n}z` rectangle per
/// horizontal run of dark modules, in module units (quiet zone included), scaled by the viewBox. `None` when the text is too long.
pub fn svg(text: &str) -> Option<String> {
    let m = matrix(text)?;
    let size = m.len() + 2 * QUIET_ZONE;
    let mut d = String::new();
    for (y, row) in m.iter().enumerate() {
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            // One rectangle per horizontal run of dark modules keeps the page small.
            let run = row[x..].iter().take_while(|d| **d).count();
            d.push_str(&format!(
                "M{} {}h{run}v1h-{run}z",
                x + QUIET_ZONE,
                y + QUIET_ZONE
            ));
            x += run;
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" \
         width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>",
        px = size * 4
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_every_dark_module_of_the_matrix() {
        let url = "https://192.168.1.5:18001/f/a.bin?status=404";
        let m = matrix(url).unwrap();
        let dark = m.iter().flatten().filter(|d| **d).count();
        let svg = svg(url).unwrap();
        let drawn: usize = svg
            .split('M')
            .skip(1)
            .map(|r| {
                let n = r.split('h').nth(1).unwrap().split('v').next().unwrap();
                n.parse::<usize>().unwrap()
            })
            .sum();
        assert_eq!(drawn, dark);
        assert!(svg.starts_with("<svg"));
    }
}
