import { createTheme, type CSSVariablesResolver } from "@mantine/core";

// Darker shades than Mantine's defaults, so that filled badges and buttons keep a 4.5:1 contrast.
export const theme = createTheme({ primaryColor: "indigo", primaryShade: { light: 8, dark: 8 } });

// Mantine's dimmed grey (descriptions, placeholders) and error red are below 4.5:1 on white: darker ones.
export const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "#495057", "--mantine-color-error": "#c92a2a" },
  dark: {},
});
