// The links of the Omniverse guide. They open in the system browser through the
// `open_external` command, which accepts only hosts on the core's allowlist
// (crates/dbc/src/links.rs); a Rust test reads this file and checks every URL here
// against that allowlist, so keep each URL a plain https string literal in single quotes.
import type { Language } from './ipc';

export type GuideLinkId =
  | 'dbc-guide'
  | 'omniverse-download'
  | 'a2f-docs'
  | 'launcher-notice'
  | 'drivers'
  | 'legacy-tools'
  | 'kit-templates'
  | 'ngc'
  | 'a2f3d'
  | 'a2f-sdk';

/** URL per link; a pair when the page exists per language. */
const LINKS: Record<GuideLinkId, string | Record<Language, string>> = {
  // DBC's own walkthrough (Chinese at the wiki root, English under /en/).
  'dbc-guide': {
    zh: 'https://deepbrainchain.github.io/DBC-Wiki/install-update-dbc-node/create-win-machine-omniverse/create-win-machine-omniverse.html',
    en: 'https://deepbrainchain.github.io/DBC-Wiki/en/install-update-dbc-node/create-win-machine-omniverse/create-win-machine-omniverse.html',
  },
  // Where DBC's guide sends users for the Launcher (its Chinese page links nvidia.cn).
  'omniverse-download': { zh: 'https://www.nvidia.cn/omniverse/', en: 'https://www.nvidia.com/en-us/omniverse/' },
  'a2f-docs': 'https://docs.omniverse.nvidia.com/app_audio2face/app_audio2face/overview.html',
  'launcher-notice': 'https://docs.omniverse.nvidia.com/launcher/latest/index.html',
  drivers: 'https://www.nvidia.com/en-us/drivers/',
  'legacy-tools': 'https://developer.nvidia.com/omniverse/legacy-tools',
  'kit-templates': 'https://github.com/NVIDIA-Omniverse/kit-app-template',
  ngc: 'https://catalog.ngc.nvidia.com/',
  a2f3d: 'https://github.com/NVIDIA/Audio2Face-3D',
  'a2f-sdk': 'https://github.com/NVIDIA/Audio2Face-3D-SDK',
};

export function guideLink(id: GuideLinkId, language: Language): string {
  const link = LINKS[id];
  return typeof link === 'string' ? link : link[language];
}
