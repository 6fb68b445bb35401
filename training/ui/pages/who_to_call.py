from training.ui.who_to_call import render

render()
