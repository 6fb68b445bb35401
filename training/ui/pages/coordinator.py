from training.ui.coordinator import render

render()
